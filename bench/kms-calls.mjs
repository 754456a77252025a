/**
 * Benchmark 1 — KMS calls per process start, counted from local-kms's audit log, for apps with 1, 10, 100 secret
 * imports: sealed at build (one data key → 1 Decrypt per CMK) vs every file sealed with its own data key
 * (SOPS-style → one Decrypt per file).
 */
import { runNode } from './lib/child.mjs'
import { countCalls, keyIds, kmsEnv, spawnLocalKms } from './lib/kms.mjs'
import { prepareStartApps } from './lib/start-apps.mjs'
import { median, table, verdict } from './lib/stats.mjs'

async function decryptsPerStart(kms, ctx, bundle, keyId, n) {
  const mark = kms.mark()
  const { json } = await runNode(bundle, { env: kmsEnv(kms.endpoint, ctx.ids.runtime) })
  if (!json?.ok || json.n !== n) throw new Error(`${bundle} did not print ${n} well-formed values`)
  const calls = countCalls(kms.entriesSince(mark), keyId)
  return calls.Decrypt ?? 0
}

export async function run(ctx) {
  const kms = await spawnLocalKms(ctx.dataDir)
  try {
    const apps = await prepareStartApps(ctx, kms)
    const rows = []
    const checks = []
    let varied = false
    for (const n of ctx.config.sizes) {
      const app = apps[n]
      const sealed = []
      const perFile = []
      for (let r = 0; r < ctx.runs; r++) {
        sealed.push(await decryptsPerStart(kms, ctx, app.sealed, keyIds.calls, n))
        perFile.push(await decryptsPerStart(kms, ctx, app.perFile, keyIds.perFile, n))
      }
      if (new Set(sealed).size > 1 || new Set(perFile).size > 1) varied = true
      const s = median(sealed)
      const p = median(perFile)
      checks.push(s === 1)
      rows.push([
        n,
        s,
        app.buildCalls.GenerateDataKey ?? 0,
        p,
        app.perFileSealCalls.GenerateDataKey ?? 0,
        `${(p / s).toFixed(0)}×`,
        verdict(s === 1),
      ])
    }
    const met = checks.every(Boolean)
    const body = [
      'Each app is started in a fresh node process (esbuild ESM bundle) against local-kms; the Decrypt lines its',
      `start added to \`audit.log\` are counted (median of ${ctx.runs} starts; ${varied ? 'the counts varied between starts' : 'every start gave the same counts'}).`,
      '',
      table(
        [
          'secret imports',
          'sealed at build: Decrypt / start',
          'GenerateDataKey / build',
          'per-file data keys: Decrypt / start',
          'GenerateDataKey to seal',
          'per-file ÷ ours',
          'target 1',
        ],
        rows,
      ),
    ].join('\n')
    const largest = ctx.config.sizes.at(-1)
    return {
      title: '1. KMS calls per process start',
      body,
      targets: [
        {
          name: 'KMS Decrypt per process start',
          target: '1 per CMK, whatever the number of secret imports',
          figure: `${median(rows.map((r) => r[1]))} for ${ctx.config.sizes.join(' / ')} imports (per-file keys: ${rows.at(-1)[3]} for ${largest})`,
          met,
        },
      ],
    }
  } finally {
    await kms.close()
  }
}
