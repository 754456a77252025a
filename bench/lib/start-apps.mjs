import { cpSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { buildWithEsbuild, sealEachFile, writeEntry, writeSecretFiles } from './app.mjs'
import { countCalls, keyIds } from './kms.mjs'

/**
 * The apps of benchmarks 1 and 2, one set per size N, all bundled by esbuild (ESM, node, dependencies included):
 * - `plain`: the N files imported as plain JSON, plugin off;
 * - `sealed`: the same plaintext files sealed at build by the plugin (one data key for all);
 * - `perFile`: the same values, each file sealed on its own beforehand (SOPS-style: N data keys), plugin on.
 * Built once per bench run and shared (`ctx.shared.startApps`). Also records the KMS calls each way of sealing made.
 */
export async function prepareStartApps(ctx, kms) {
  if (ctx.shared.startApps) return ctx.shared.startApps
  const apps = {}
  for (const n of ctx.config.sizes) {
    const dir = join(ctx.work, 'start-apps', `n${n}`)
    const perDir = join(ctx.work, 'start-apps', `n${n}-per-file`)
    mkdirSync(perDir, { recursive: true })
    const files = writeSecretFiles(dir, n)
    const entry = writeEntry(dir, files)
    cpSync(join(dir, 'secrets'), join(perDir, 'secrets'), { recursive: true })
    writeEntry(perDir, files)
    const out = (name) => join(dir, 'out', `${name}.mjs`)
    await buildWithEsbuild(dir, entry, out('plain'))
    let mark = kms.mark()
    await buildWithEsbuild(dir, entry, out('sealed'), { plugin: { keyId: keyIds.calls, endpoint: kms.endpoint } })
    const buildCalls = countCalls(kms.entriesSince(mark), keyIds.calls)
    mark = kms.mark()
    await sealEachFile(perDir, files, { endpoint: kms.endpoint, keyId: keyIds.perFile, credential: ctx.ids.build })
    const perFileSealCalls = countCalls(kms.entriesSince(mark), keyIds.perFile)
    await buildWithEsbuild(perDir, entry, out('per-file'), { plugin: { endpoint: kms.endpoint } })
    apps[n] = {
      dir,
      entry,
      plain: out('plain'),
      sealed: out('sealed'),
      perFile: out('per-file'),
      buildCalls,
      perFileSealCalls,
    }
  }
  ctx.shared.startApps = apps
  return apps
}
