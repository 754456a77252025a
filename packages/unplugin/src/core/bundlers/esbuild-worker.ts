import { readFile, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import process from 'node:process'
import type { EsbuildPlugin } from 'unplugin'
import type { SecretsContext } from '../context'
import { readSyncWorker, runtimeInlined, syncWorkerFileName } from '../sync-worker'

type PluginBuild = Parameters<EsbuildPlugin['setup']>[0]
type BuildResult = Parameters<Parameters<PluginBuild['onEnd']>[0]>[0]

/**
 * Writes the runtime's self-contained worker next to an esbuild CommonJS bundle that inlined the runtime (see
 * ../sync-worker.ts): the lean one unless a secret of this build is sealed with a project key. Without a metafile we
 * cannot tell whether the runtime was inlined, so the file is written.
 */
export async function writeSyncWorker(
  ctx: Pick<SecretsContext, 'projectFiles' | 'options'>,
  build: PluginBuild,
  result: BuildResult,
): Promise<string | undefined> {
  const o = build.initialOptions
  const dir = o.outdir ?? (o.outfile === undefined ? undefined : dirname(o.outfile))
  if (dir === undefined || o.write === false) return undefined
  const cwd = o.absWorkingDir ?? process.cwd()
  const inputs = result.metafile?.inputs
  if (inputs !== undefined && !runtimeInlined(Object.keys(inputs).map((i) => resolve(cwd, i)))) return undefined
  const outfile = resolve(cwd, dir, syncWorkerFileName)
  const source = readSyncWorker(ctx)
  const current = await readFile(outfile).catch(() => undefined)
  if (current === undefined || !current.equals(source)) await writeFile(outfile, source)
  return outfile
}
