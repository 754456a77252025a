import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { KmsSecretsError } from '@kms-secrets/core/errors'

function hereUrl(): string | undefined {
  // ESM: the module's URL. CJS: tsdown rewrites import.meta.url to pathToFileURL(__filename). When a user's
  // bundler inlines the runtime (e.g. esbuild format cjs), it may be empty or point at their bundle instead.
  const url: unknown = import.meta.url
  return typeof url === 'string' && url.startsWith('file:') ? url : undefined
}

function candidates(): string[] {
  const here = hereUrl()
  const found: string[] = []
  // dist/<chunk>.mjs|.cjs sits next to dist/worker.mjs|.cjs: pick the worker of the same module format.
  if (here !== undefined)
    found.push(fileURLToPath(new URL(here.endsWith('.cjs') ? './worker.cjs' : './worker.mjs', here)))
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
    'openSecretSync could not find the kms-secrets worker (dist/worker.cjs of @kms-secrets/runtime).',
    {
      hint: 'Keep @kms-secrets/runtime installed and external in CommonJS server bundles, or build ESM output (top-level await needs no worker).',
    },
  )
}
