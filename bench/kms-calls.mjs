/**
 * Benchmark 1 — KMS calls per process start, counted from local-kms's audit log, for apps with 1, 10, 100 secret
 * imports: sealed at build (one data key → 1 Decrypt per CMK) vs every file sealed with its own data key
 * (SOPS-style → one Decrypt per file). 1b (issue 12): N files sealed on disk in K separate `encrypt` calls, before
 * (a data key per call → K Decrypts) and after the project key (sealed offline → 1 call, on each kind of CMK).
 */
import { runNode } from './lib/child.mjs'
import { countCalls, keyIds, kmsEnv, spawnLocalKms } from './lib/kms.mjs'
import { prepareProjectApps, projectCmks } from './lib/project-apps.mjs'
import { prepareStartApps } from './lib/start-apps.mjs'
import { median, table, verdict } from './lib/stats.mjs'

async function decryptsPerStart(kms, ctx, bundle, keyId, n, action = 'Decrypt') {
  const mark = kms.mark()
  const { json } = await runNode(bundle, { env: kmsEnv(kms.endpoint, ctx.ids.runtime) })
  if (!json?.ok || json.n !== n) throw new Error(`${bundle} did not print ${n} well-formed values`)
  const calls = countCalls(kms.entriesSince(mark), keyId)
  return calls[action] ?? 0
}

/** 1b: KMS calls per start for N files sealed in K separate calls, before and after the project key. */
async function projectKeyTable(kms, ctx) {
  const apps = await prepareProjectApps(ctx, kms)
  const rows = []
  let met = true
  for (const app of apps) {
    const perStart = async (bundle, keyId, action) => {
      const counts = []
      for (let r = 0; r < ctx.runs; r++) counts.push(await decryptsPerStart(kms, ctx, bundle, keyId, app.n, action))
      return median(counts)
    }
    const before = await perStart(app.before, keyIds.perCall, 'Decrypt')
    const after = []
    for (const cmk of projectCmks) after.push(await perStart(app.after[cmk.name], cmk.keyId, cmk.action))
    const ok = after.every((a) => a === 1) && Object.entries(app.sealCalls).every(([k, c]) => k === 'before' || c === 0)
    met &&= ok
    rows.push([app.n, app.calls, before, app.sealCalls.before, ...after, verdict(ok)])
  }
  const body = [
    '### 1b. Files sealed on disk in separate calls: before and after the project key (issue 12)',
    '',
    `N files sealed in K separate \`kms-secrets encrypt\` calls (as a team adds secrets over weeks), built by esbuild with`,
    'the plugin (sealed files are only embedded), started in a fresh node process; KMS calls of one start from',
    `\`audit.log\` (median of ${ctx.runs} starts). Before: each call made its own data key. After: \`init\` once, then`,
    'every call seals offline with the public half (0 KMS calls, no credentials); one unwrap per start on the CMK.',
    '',
    table(
      [
        'files N',
        'sealed in K calls',
        'before: Decrypt / start',
        'before: KMS calls to seal',
        ...projectCmks.map((c) => `after, ${c.name} CMK: ${c.action} / start`),
        'after: 1 call / start, 0 to seal',
      ],
      rows,
    ),
  ].join('\n')
  const worst = rows.reduce((a, r) => (r[2] > a[2] ? r : a), rows[0])
  return {
    body,
    target: {
      name: 'KMS calls per start, N files sealed in K separate calls (project key)',
      target: '1, whatever N and K (symmetric, RSA_2048, SM2 CMK)',
      figure: `after: ${[...new Set(rows.flatMap((r) => r.slice(4, 7)))].join('/')} for every N/K; before: up to ${worst[2]} (N ${worst[0]}, K ${worst[1]})`,
      met,
    },
  }
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
    const project = await projectKeyTable(kms, ctx)
    return {
      title: '1. KMS calls per process start',
      body: `${body}\n\n${project.body}`,
      targets: [
        {
          name: 'KMS Decrypt per process start',
          target: '1 per CMK, whatever the number of secret imports',
          figure: `${median(rows.map((r) => r[1]))} for ${ctx.config.sizes.join(' / ')} imports (per-file keys: ${rows.at(-1)[3]} for ${largest})`,
          met,
        },
        project.target,
      ],
    }
  } finally {
    await kms.close()
  }
}
