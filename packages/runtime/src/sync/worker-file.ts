import { KmsSecretsError } from '@kms-secrets/core/errors'

const workerName = 'kms-secrets-worker'

/**
 * This module's own file URL, without `import.meta` (which a bundler emitting CommonJS warns about and empties):
 * `__filename` in CommonJS (tsdown's .cjs, a user's CommonJS bundle), else the first file URL of a stack frame (our
 * ESM dist run as is). With source maps applied to stacks it may name a source file: then the worker is looked up
 * by package name instead.
 */
function hereUrl(): string | undefined {
  const { pathToFileURL } = process.getBuiltinModule('node:url')
  if (typeof __filename === 'string') return pathToFileURL(__filename).href
  return /(file:\/\/[^\s)]+?)(?::\d+){1,2}\)?$/m.exec(new Error().stack ?? '')?.[1]
}

function candidates(cjs: boolean): string[] {
  const { fileURLToPath, pathToFileURL } = process.getBuiltinModule('node:url')
  const { createRequire } = process.getBuiltinModule('node:module')
  const here = hereUrl()
  const found: string[] = []
  // dist/<chunk>.mjs|.cjs sits next to dist/kms-secrets-worker.mjs|.cjs: pick the worker of the same module format.
  // When a bundler inlined the runtime, `here` is the user's bundle: the plugin puts a self-contained
  // kms-secrets-worker.cjs next to it (esbuild CommonJS output).
  if (here !== undefined) {
    const own = cjs || here.endsWith('.cjs') ? `./${workerName}.cjs` : `./${workerName}.mjs`
    found.push(fileURLToPath(new URL(own, here)), fileURLToPath(new URL(`./${workerName}.cjs`, here)))
  }
  for (const base of [here, pathToFileURL(`${process.cwd()}/package.json`).href]) {
    if (base === undefined) continue
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
    'openSecretSync found no kms-secrets-worker.cjs next to the bundle and no installed @kms-secrets/runtime.',
    'Deploy the kms-secrets-worker.cjs the plugin writes next to the bundle, or build ESM output (no worker).',
  )
}
