import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { KmsSecretsError } from '@kms-secrets/core/errors'

function hereUrl(): string | undefined {
  // ESM: the module's URL. CJS: tsdown rewrites import.meta.url to pathToFileURL(__filename). When a user's
  // bundler inlines the runtime (e.g. esbuild format cjs), it may be empty or point at their bundle instead.
  const url: unknown = import.meta.url
  if (typeof url === 'string' && url.startsWith('file:')) return url
  // esbuild's ESM→CommonJS conversion empties import.meta; the CommonJS wrapper still knows the bundle's file.
  return typeof __filename === 'string' ? pathToFileURL(__filename).href : undefined
}

function candidates(): string[] {
  const here = hereUrl()
  const found: string[] = []
  // dist/<chunk>.mjs|.cjs sits next to dist/kms-secrets-worker.mjs|.cjs: pick the worker of the same module format.
  // When a bundler inlined the runtime, `here` is the user's bundle: the plugin puts a self-contained
  // kms-secrets-worker.cjs next to it (esbuild CommonJS output).
  if (here !== undefined) {
    const own = here.endsWith('.cjs') ? './kms-secrets-worker.cjs' : './kms-secrets-worker.mjs'
    found.push(fileURLToPath(new URL(own, here)), fileURLToPath(new URL('./kms-secrets-worker.cjs', here)))
  }
  for (const base of [here, pathToFileURL(join(process.cwd(), 'package.json')).href]) {
    if (base === undefined) continue
    try {
      found.push(createRequire(base).resolve('@kms-secrets/runtime/worker'))
    } catch {
      // not resolvable from there
    }
  }
  return found
}

/** Path of the sync worker entry (dist/worker.*): next to this module, else the installed package's. */
export function resolveWorkerFile(): string {
  const file = candidates().find((f) => existsSync(f))
  if (file !== undefined) return file
  throw new KmsSecretsError(
    'ERR_PLUGIN_OUTPUT_FORMAT',
    'openSecretSync could not find the kms-secrets worker (kms-secrets-worker.cjs next to the bundle, or @kms-secrets/runtime installed).',
    {
      hint: 'Deploy kms-secrets-worker.cjs (written by the esbuild plugin next to the bundle) with it, keep @kms-secrets/runtime installed and external, or build ESM output (top-level await needs no worker).',
    },
  )
}
