import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import process from 'node:process'
import type { EsbuildPlugin } from 'unplugin'

type PluginBuild = Parameters<EsbuildPlugin['setup']>[0]

/** The name the runtime looks for next to a bundle that inlined it (packages/runtime/src/sync/worker-file.ts). */
export const syncWorkerFileName = 'kms-secrets-worker.cjs'

/**
 * CommonJS output decrypts through `openSecretSync`, whose worker thread runs a file of its own. When esbuild inlines
 * the runtime into the user's bundle, that file is nowhere near it at run time (a deployed `dist/`, or pnpm's strict
 * layout), so write a self-contained copy next to the output: the bundle then runs from any directory, with no
 * node_modules. Holds no secret: it is the runtime's worker with the Tencent SDK transport.
 */
export async function writeSyncWorker(build: PluginBuild): Promise<string | undefined> {
  const o = build.initialOptions
  const dir = o.outdir ?? (o.outfile === undefined ? undefined : dirname(o.outfile))
  if (dir === undefined || o.write === false) return undefined
  const outfile = resolve(o.absWorkingDir ?? process.cwd(), dir, syncWorkerFileName)
  await build.esbuild.build({
    entryPoints: [createRequire(import.meta.url).resolve('@kms-secrets/runtime/worker')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    outfile,
    logLevel: 'silent',
  })
  return outfile
}
