/**
 * Benchmark 2 — time to first decrypted value: process start → the entry runs with every secret value usable
 * (`performance.now()` in the app), vs the same app importing plain JSON, with local-kms answering at once and with a
 * simulated 30 ms round trip (`--latency-ms 30`). Runs are interleaved plain, sealed, per-file, plain, …
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildWithEsbuild } from './lib/app.mjs'
import { runNode } from './lib/child.mjs'
import { renderProfile } from './lib/cpuprofile.mjs'
import { keyIds, kmsEnv, spawnLocalKms } from './lib/kms.mjs'
import { measureMarginal, profileRest } from './lib/open-probes.mjs'
import { profileDir, profileNode } from './lib/profile-run.mjs'
import { prepareStartApps } from './lib/start-apps.mjs'
import { fmt, median, table } from './lib/stats.mjs'

const aesMicro = fileURLToPath(new URL('./workers/aes-micro.mjs', import.meta.url))

async function firstValueMs(bundle, env) {
  const { json } = await runNode(bundle, { env })
  if (!json?.ok) throw new Error(`${bundle} printed no well-formed values`)
  return json.t
}

/** Interleaved starts of the three bundles of one app at one latency; medians and paired differences. */
async function measureApp(ctx, app, env) {
  const t = { plain: [], sealed: [], perFile: [] }
  for (let r = 0; r < ctx.runs; r++) {
    for (const k of ['plain', 'sealed', 'perFile']) t[k].push(await firstValueMs(app[k], env))
  }
  const diff = (k) => median(t[k].map((v, i) => v - t.plain[i]))
  return {
    plain: median(t.plain),
    sealed: median(t.sealed),
    perFile: median(t.perFile),
    overhead: diff('sealed'),
    perFileOverhead: diff('perFile'),
  }
}

async function measureAll(ctx) {
  const results = {}
  for (const latency of ctx.config.latencies) {
    const kms = await spawnLocalKms(ctx.dataDir, { latencyMs: latency })
    try {
      const apps = await prepareStartApps(ctx, kms)
      const env = kmsEnv(kms.endpoint, ctx.ids.runtime)
      for (const n of ctx.config.sizes) results[`${n}@${latency}`] = await measureApp(ctx, apps[n], env)
      const big = ctx.config.sizes.at(-1)
      results[`marginal@${latency}`] = await measureMarginal(ctx, kms, { n: big, dir: apps[big].dir })
    } finally {
      await kms.close()
    }
  }
  return results
}

/**
 * Profiles for the missed targets: one start of the largest sealed app (bundled as measured, with a source map to
 * name the packages), and/or only the cached-key opens after the first.
 */
async function profileMisses(ctx, { literalMet, restMet, envelopesPath }) {
  const big = ctx.config.sizes.at(-1)
  const out = []
  const summaries = {}
  const kms = await spawnLocalKms(ctx.dataDir)
  try {
    if (!literalMet) {
      const app = (await prepareStartApps(ctx, kms))[big]
      const bundle = join(app.dir, 'out', 'sealed-profiled.mjs')
      const plugin = { keyId: keyIds.calls, endpoint: kms.endpoint }
      await buildWithEsbuild(app.dir, app.entry, bundle, { plugin, sourcemap: 'external' })
      const env = kmsEnv(kms.endpoint, ctx.ids.runtime)
      const summary = await profileNode(bundle, { env, dir: profileDir(ctx, 'first-value') })
      summaries.start = summary
      if (summary)
        out.push(renderProfile(`CPU profile of one start, sealed app with ${big} imports, latency 0`, summary))
    }
    if (!restMet) {
      const summary = await profileRest(ctx, kms, envelopesPath)
      summaries.rest = summary
      out.push(renderProfile(`CPU profile of the ${big - 1} opens after the first (100 µs sampling)`, summary))
    }
  } finally {
    await kms.close()
  }
  return { rendered: out, summaries }
}

function derivedTable(ctx, res, d) {
  const { sizes, latencies } = ctx.config
  const [big, small, lo, hi] = [sizes.at(-1), sizes[0], latencies[0], latencies.at(-1)]
  const per = (xs) => xs.map((m) => `${fmt(m)} ms`).join(' / ')
  return table(
    [`derived (sealed at build, ${big} imports)`, 'figure'],
    [
      [`KMS round trips on the start path: Δoverhead(${lo}→${hi} ms) ÷ ${hi - lo} ms`, fmt(d.trips, 2)],
      [`same for per-file data keys (${big} keys, opened one after the other)`, fmt(d.perFileTrips, 1)],
      [
        `in-process: first open (SDK client, Decrypt, AES-GCM) at ${latencies.join(' / ')} ms`,
        per(latencies.map((l) => res[`marginal@${l}`].first)),
      ],
      [`in-process: the ${big - 1} other opens after it (AES-GCM, cached data key) — target < 2 ms`, per(d.rest)],
      [
        `the same ${big - 1} AES-GCM decrypts alone: WebCrypto awaited one by one (as the runtime) · node:crypto sync`,
        `${fmt(d.aes.webcrypto, 2)} ms · ${fmt(d.aes.nodeCrypto, 2)} ms`,
      ],
      [
        `process start: overhead(${big}) − overhead(${small}) (noisier), at ${latencies.join(' / ')} ms`,
        per(d.marginal),
      ],
      [`process start: overhead − one round trip, at ${latencies.join(' / ')} ms`, per(d.literal)],
    ],
  )
}

export async function run(ctx) {
  const { sizes, latencies } = ctx.config
  const res = await measureAll(ctx)
  const rows = []
  for (const latency of latencies) {
    for (const n of sizes) {
      const r = res[`${n}@${latency}`]
      rows.push([
        n,
        `${latency} ms`,
        fmt(r.plain),
        fmt(r.sealed),
        fmt(r.overhead),
        fmt(r.overhead - latency),
        fmt(r.perFile),
        fmt(r.perFileOverhead),
      ])
    }
  }
  const [big, small, lo, hi] = [sizes.at(-1), sizes[0], latencies[0], latencies.at(-1)]
  const trips = (key) => (res[`${big}@${hi}`][key] - res[`${big}@${lo}`][key]) / (hi - lo)
  const d = {
    trips: trips('overhead'),
    perFileTrips: trips('perFileOverhead'),
    rest: latencies.map((l) => res[`marginal@${l}`].rest),
    marginal: latencies.map((l) => res[`${big}@${l}`].overhead - res[`${small}@${l}`].overhead),
    literal: latencies.map((l) => res[`${big}@${l}`].overhead - l),
    aes: (await runNode(aesMicro, { args: [String(big - 1)] })).json,
  }
  const literalMet = d.literal.every((x) => x < 2)
  const restMet = d.rest.every((x) => x < 2)
  const envelopesPath = res[`marginal@${lo}`].envelopesPath
  const profiles = ctx.profile
    ? await profileMisses(ctx, { literalMet, restMet, envelopesPath })
    : { rendered: [], summaries: {} }
  const body = [
    `Medians of ${ctx.runs} interleaved starts, ms from process start (performance.now() in the app) to the first line`,
    'of the entry, when every imported value is usable. Overheads are medians of paired differences against the plain',
    'JSON start of the same round. All bundles: esbuild, ESM, node20, dependencies (runtime + SDK) bundled.',
    '',
    table(
      [
        'imports',
        'KMS latency',
        'plain JSON',
        'sealed at build',
        'overhead',
        'overhead − 1 RTT',
        'per-file keys',
        'per-file overhead',
      ],
      rows,
    ),
    '',
    derivedTable(ctx, res, d),
    ...profiles.rendered.flatMap((p) => ['', p]),
  ].join('\n')
  const per = (xs) => `${xs.map((m) => `${fmt(m)} ms`).join(' / ')} at ${latencies.join(' / ')} ms`
  return {
    title: '2. Time to first decrypted value',
    body,
    data: { res, latencies, ...d, profiles: profiles.summaries },
    targets: [
      {
        name: `KMS round trips before the first value, ${big} secrets`,
        target: 'one round trip',
        figure: `${fmt(d.trips, 2)} (per-file data keys: ${fmt(d.perFileTrips, 1)})`,
        met: d.trips < 1.5,
      },
      {
        name: `cost of the ${big - small} secrets after the first`,
        target: '< 2 ms',
        figure: `${per(d.rest)} (in-process, sequential opens)`,
        met: restMet,
      },
      {
        name: `start overhead vs plain JSON, ${big} secrets`,
        target: 'one round trip + < 2 ms',
        figure: `overhead − RTT ${per(d.literal)}`,
        met: literalMet,
      },
    ],
  }
}
