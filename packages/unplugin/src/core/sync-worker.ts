import { readFileSync, realpathSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, sep } from 'node:path'

/**
 * CommonJS output decrypts through `openSecretSync`, whose worker thread runs a file of its own. When the bundler
 * inlined the runtime, that file is nowhere near the bundle at run time (a deployed `dist/`, pnpm's strict layout),
 * so the plugins put the runtime's self-contained worker next to the output under this name, which the runtime looks
 * for next to itself (packages/runtime/src/sync/worker-file.ts). It holds no secret: it is the runtime's worker with
 * the Tencent SDK transport.
 */
export const syncWorkerFileName = 'kms-secrets-worker.cjs'

const require = createRequire(import.meta.url)
let runtimeDir: string | undefined

function runtimePackageDir(): string {
  runtimeDir ??= realpathSync(dirname(require.resolve('@kms-secrets/runtime/package.json')))
  return runtimeDir
}

/** Whether a module id is a file of `@kms-secrets/runtime` (ours, or another installed copy). */
export function isRuntimeModule(id: string): boolean {
  return id.startsWith(runtimePackageDir() + sep) || id.includes(`${sep}@kms-secrets${sep}runtime${sep}`)
}

/** Whether the bundle's modules include the runtime itself (inlined), rather than importing it at run time. */
export function runtimeInlined(moduleIds: Iterable<string>): boolean {
  for (const id of moduleIds) if (isRuntimeModule(id)) return true
  return false
}

/** The runtime's one-file worker (dist/kms-secrets-worker-standalone.cjs). */
export function readSyncWorker(): Promise<Buffer> {
  return readFile(require.resolve('@kms-secrets/runtime/worker-standalone'))
}

/** Synchronous variant, for hooks that emit assets (rollup's emitFile). */
export function readSyncWorkerSync(): Buffer {
  return readFileSync(require.resolve('@kms-secrets/runtime/worker-standalone'))
}
