import { KmsSecretsError } from '@kms-secrets/core/errors'

const workerName = 'kms-secrets-worker'

function candidates(cjs: boolean): string[] {
  const { fileURLToPath, pathToFileURL } = process.getBuiltinModule('node:url')
  const { createRequire } = process.getBuiltinModule('node:module')
  // This module's own file URL, without `import.meta` (which a bundler emitting CommonJS warns about and empties):
  // `__filename` in CommonJS (tsdown's .cjs, a user's CommonJS bundle), else the first file URL of a stack frame (our
  // ESM dist run as is). With source maps applied to stacks it may name a source file: then the worker is looked up
  // by package name instead.
  const here =
    typeof __filename === 'string'
      ? pathToFileURL(__filename).href
      : /(file:\/\/[^\s)]+?)(?::\d+){1,2}\)?$/m.exec(new Error().stack ?? '')?.[1]
  const found: string[] = []
  // dist/<chunk>.mjs|.cjs sits next to dist/kms-secrets-worker.mjs|.cjs: pick the worker of the same module format.
  // When a bundler inlined the runtime, `here` is the user's bundle: the plugin puts a self-contained
  // kms-secrets-worker.cjs next to it (esbuild CommonJS output).
  if (here !== undefined) {
    for (const ext of cjs || here.endsWith('.cjs') ? ['cjs'] : ['mjs', 'cjs']) {
      found.push(fileURLToPath(new URL(`./${workerName}.${ext}`, here)))
    }
  }
  for (const base of [here ?? '', `${process.cwd()}/package.json`]) {
    try {
      found.push(createRequire(base).resolve('@kms-secrets/runtime/worker'))
    } catch {
      // not resolvable from there
    }
  }
  return found
}

/**
 * Path of the sync worker entry (dist/kms-secrets-worker.*): next to this module, else the installed package's.
 * `cjs`: the CommonJS one only (to be `require`d).
 */
export function resolveWorkerFile(cjs = false): string {
  const { existsSync } = process.getBuiltinModule('node:fs')
  const file = candidates(cjs).find((f) => existsSync(f))
  if (file !== undefined) return file
  throw new KmsSecretsError(
    'ERR_RUNTIME_WORKER',
    'openSecretSync found no kms-secrets-worker.cjs beside the bundle, nor an installed @kms-secrets/runtime.',
    'Deploy the kms-secrets-worker.cjs the plugin writes beside the bundle, or build ESM (no worker).',
  )
}
