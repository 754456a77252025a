import { readFileSync, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, sep } from 'node:path'

/**
 * CommonJS output decrypts through `openSecretSync`, whose worker thread runs a file of its own. When the bundler
 * inlined the runtime, that file is nowhere near the bundle at run time (a deployed `dist/`, pnpm's strict layout),
 * so the plugins put the runtime's self-contained worker next to the output under this name, which the runtime looks
 * for next to itself (packages/runtime/src/sync/worker-file.ts). It holds no secret: it is the runtime's opener, which
 * `@kms-secrets/runtime/sync` (what generated CommonJS code imports) loads on the main thread and runs as the worker.
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

/** What picks the worker file: the build's project-key secrets, and the plugin option `cloud`. */
export interface SyncWorkerBuild {
  projectFiles: ReadonlySet<string>
  options?: { cloud?: boolean }
}

/**
 * Which of the runtime's one-file workers a CommonJS output gets: the full one (with mode "project") when a secret
 * module of this build was generated from a project-key envelope, else the lean one, ~4.7 KiB smaller, which fails
 * a project envelope with ERR_PROJECT_KEY saying what to deploy. Either with `@kms-secrets/runtime/cloud` inside
 * (`-cloud`) for the option `cloud: true`; without it the worker loads the add-on from node_modules when needed.
 */
export function syncWorkerEntry(build: SyncWorkerBuild): string {
  const name = build.projectFiles.size > 0 ? 'worker-standalone' : 'worker-standalone-lean'
  return `@kms-secrets/runtime/${name}${build.options?.cloud === true ? '-cloud' : ''}`
}

/**
 * The runtime's one-file worker (dist/kms-secrets-worker-standalone[-lean].cjs) for this build; read synchronously
 * (tens of KiB, once per build) for hooks that emit assets synchronously (rollup's emitFile) and esbuild's onEnd alike.
 */
export function readSyncWorker(build: SyncWorkerBuild): Buffer {
  return readFileSync(require.resolve(syncWorkerEntry(build)))
}
