/**
 * Benchmark 2 — time to first decrypted value: process start → the entry runs with every secret value usable
 * (`performance.now()` in the app), vs the same app importing plain JSON, with local-kms answering at once and with a
 * simulated 30 ms round trip (`--latency-ms 30`). Starts are interleaved round by round: plain, then sealed and
 * per-file against each latency's local-kms, then the KMS round trip itself (workers/kms-rtt.mjs: one Decrypt over a
 * new connection from a warm process), so "overhead − RTT" is a paired difference of the same round. A second floor,
 * the cold round trip (lib/cold-rtt.mjs: a fresh process that loads node:crypto and node:net, signs, connects and makes
 * the same one Decrypt, timed from its first line to the decoded value), is measured in the same rounds too, and
 * "overhead − cold RTT" is paired the same way.
 */
import { randomBytes } from 'node:crypto'
import { cpSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { runNode } from './lib/child.mjs'
import { keyIds, kmsEnv, spawnLocalKms } from './lib/kms.mjs'
import { measureMarginal, profileMisses } from './lib/open-probes.mjs'
import { prepareStartApps } from './lib/start-apps.mjs'
import { fmt, median, table } from './lib/stats.mjs'
import { createRawClient } from './lib/tc3-client.mjs'

const aesMicro = fileURLToPath(new URL('./workers/aes-micro.mjs', import.meta.url))
const kmsRtt = fileURLToPath(new URL('./workers/kms-rtt.mjs', import.meta.url))
const coldRtt = fileURLToPath(new URL('./lib/cold-rtt.mjs', import.meta.url))

async function firstValueMs(bundle, env) {
  const { json } = await runNode(bundle, { env })
  if (!json?.ok) throw new Error(`${bundle} printed no well-formed values`)
  return json.t
}

/** The median KMS round trip (ms) against one local-kms, measured now (see workers/kms-rtt.mjs). */
async function roundTripMs(ctx, kms) {
  const port = Number(new URL(kms.endpoint).port)
  const args = [JSON.stringify({ port, build: ctx.ids.build, runtime: ctx.ids.runtime, keyId: keyIds.calls, reps: 5 })]
  const { json } = await runNode(kmsRtt, { args, env: { PATH: process.env.PATH } })
  return json.rtt
}

/** A data key sealed once per local-kms for the cold round trip (same shape and context as workers/kms-rtt.mjs). */
async function coldBlob(ctx, kms) {
  const port = Number(new URL(kms.endpoint).port)
  const EncryptionContext = JSON.stringify({ 'kms-secrets': 'v2', file: 's000.secret.json' })
  const sealer = createRawClient({ port, ...ctx.ids.build })
  try {
    const params = { KeyId: keyIds.calls, Plaintext: randomBytes(32).toString('base64'), EncryptionContext }
    const { CiphertextBlob } = await sealer.request('Encrypt', params)
    return { port, ...ctx.ids.runtime, CiphertextBlob, EncryptionContext }
  } finally {
    sealer.close()
  }
}

/** The cold round trip (ms): one fresh process, first line → decoded value of one Decrypt (see lib/cold-rtt.mjs). */
async function coldRoundTripMs(blob) {
  const { json } = await runNode(coldRtt, { args: [JSON.stringify(blob)], env: { PATH: process.env.PATH } })
  if (!json?.ok) throw new Error('the cold round trip printed no well-formed value')
  return json.cold
}

/**
 * One round for one app: the plain start, then the sealed and per-file starts against every latency's local-kms,
 * each followed by that local-kms's round trip. Appends to `t[key]` ms from process start to the first value.
 */
async function startRound(ctx, app, envs, t) {
  t.plain.push(await firstValueMs(app.plain, envs[0][1]))
  const push = (key, v) => {
    t[key] = [...(t[key] ?? []), v]
  }
  for (const [latency, env, kms] of envs) {
    for (const k of ['sealed', 'perFile']) push(`${k}@${latency}`, await firstValueMs(app[k], env))
    push(`rtt@${latency}`, await roundTripMs(ctx, kms))
    push(`cold@${latency}`, await coldRoundTripMs(kms.coldBlob))
  }
}

/** Medians and paired differences (same round) of one app's starts. */
function summarizeApp(t, latencies) {
  const diff = (key, base) => median(t[key].map((v, i) => v - base[i]))
  const out = {}
  for (const l of latencies) {
    out[l] = {
      plain: median(t.plain),
      sealed: median(t[`sealed@${l}`]),
      perFile: median(t[`perFile@${l}`]),
      overhead: diff(`sealed@${l}`, t.plain),
      perFileOverhead: diff(`perFile@${l}`, t.plain),
      rtt: median(t[`rtt@${l}`]),
      // start(sealed) − start(plain) − RTT, all three from the same round.
      beyondRtt: median(t[`sealed@${l}`].map((v, i) => v - t.plain[i] - t[`rtt@${l}`][i])),
      coldRtt: median(t[`cold@${l}`]),
      // start(sealed) − start(plain) − cold RTT, all three from the same round.
      beyondCold: median(t[`sealed@${l}`].map((v, i) => v - t.plain[i] - t[`cold@${l}`][i])),
    }
  }
  const [lo, hi] = [latencies[0], latencies.at(-1)]
  out.trips = diff(`sealed@${hi}`, t[`sealed@${lo}`]) / (hi - lo)
  out.perFileTrips = diff(`perFile@${hi}`, t[`perFile@${lo}`]) / (hi - lo)
  return out
}

/**
 * One local-kms per latency, each on its own copy of the data dir (same keys and identities: the bundles open
 * against either), so the latencies can be interleaved round by round instead of measured minutes apart.
 */
async function startServers(ctx) {
  // Copy before any server starts: a running local-kms holds a lock file in its data dir.
  const dirs = ctx.config.latencies.map((latency, i) => {
    const dataDir = i === 0 ? ctx.dataDir : `${ctx.dataDir}-latency-${latency}`
    if (i > 0) cpSync(ctx.dataDir, dataDir, { recursive: true })
    return [latency, dataDir]
  })
  const servers = []
  try {
    for (const [latencyMs, dataDir] of dirs) servers.push([latencyMs, await spawnLocalKms(dataDir, { latencyMs })])
  } catch (error) {
    for (const [, kms] of servers) await kms.close()
    throw error
  }
  return servers
}

async function measureAll(ctx) {
  const servers = await startServers(ctx)
  try {
    const apps = await prepareStartApps(ctx, servers[0][1])
    const envs = servers.map(([latency, kms]) => [latency, kmsEnv(kms.endpoint, ctx.ids.runtime), kms])
    for (const [, , kms] of envs) kms.coldBlob = await coldBlob(ctx, kms)
    const times = Object.fromEntries(ctx.config.sizes.map((n) => [n, { plain: [] }]))
    for (let r = 0; r < ctx.runs; r++) {
      for (const n of ctx.config.sizes) await startRound(ctx, apps[n], envs, times[n])
    }
    const results = Object.fromEntries(ctx.config.sizes.map((n) => [n, summarizeApp(times[n], ctx.config.latencies)]))
    const big = ctx.config.sizes.at(-1)
    for (const [latency, kms] of servers) {
      results[`marginal@${latency}`] = await measureMarginal(ctx, kms, { n: big, dir: apps[big].dir })
    }
    return results
  } finally {
    for (const [, kms] of servers) await kms.close()
  }
}

function derivedTable(ctx, res, d) {
  const { sizes, latencies } = ctx.config
  const [big, small, lo, hi] = [sizes.at(-1), sizes[0], latencies[0], latencies.at(-1)]
  const per = (xs) => xs.map((m) => `${fmt(m)} ms`).join(' / ')
  return table(
    [`derived (sealed at build, ${big} imports)`, 'figure'],
    [
      [`KMS round trips on the start path: Δstart(${lo}→${hi} ms, same round) ÷ ${hi - lo} ms`, fmt(d.trips, 2)],
      [`same for per-file data keys (${big} keys, opened one after the other)`, fmt(d.perFileTrips, 1)],
      [
        `in-process: first open (credentials, Decrypt, AES-GCM) at ${latencies.join(' / ')} ms`,
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
      [
        `KMS round trip measured in the same rounds (new connection, warm process), at ${latencies.join(' / ')} ms`,
        per(d.rtt),
      ],
      [
        `process start: overhead − that round trip (paired, same round), at ${latencies.join(' / ')} ms — target ≤ 10 ms`,
        per(d.literal),
      ],
      [
        `cold round trip in the same rounds (fresh process: load node:crypto + node:net, sign, connect, one Decrypt), at ${latencies.join(' / ')} ms`,
        per(d.cold),
      ],
      [
        `process start: overhead − cold round trip (paired, same round), at ${latencies.join(' / ')} ms`,
        per(d.literalCold),
      ],
    ],
  )
}

export async function run(ctx) {
  const { sizes, latencies } = ctx.config
  const res = await measureAll(ctx)
  const rows = []
  for (const latency of latencies) {
    for (const n of sizes) {
      const r = res[n][latency]
      rows.push([
        n,
        `${latency} ms`,
        fmt(r.plain),
        fmt(r.sealed),
        fmt(r.overhead),
        fmt(r.rtt),
        fmt(r.beyondRtt),
        fmt(r.coldRtt),
        fmt(r.beyondCold),
        fmt(r.perFile),
        fmt(r.perFileOverhead),
      ])
    }
  }
  const [big, small, lo, _hi] = [sizes.at(-1), sizes[0], latencies[0], latencies.at(-1)]
  const d = {
    trips: res[big].trips,
    perFileTrips: res[big].perFileTrips,
    rest: latencies.map((l) => res[`marginal@${l}`].rest),
    marginal: latencies.map((l) => res[big][l].overhead - res[small][l].overhead),
    rtt: latencies.map((l) => res[big][l].rtt),
    literal: latencies.map((l) => res[big][l].beyondRtt),
    cold: latencies.map((l) => res[big][l].coldRtt),
    literalCold: latencies.map((l) => res[big][l].beyondCold),
    aes: (await runNode(aesMicro, { args: [String(big - 1)] })).json,
  }
  const literalMet = d.literal.every((x) => x <= 10)
  const restMet = d.rest.every((x) => x < 2)
  const envelopesPath = res[`marginal@${lo}`].envelopesPath
  const profiles = ctx.profile
    ? await profileMisses(ctx, { literalMet, restMet, envelopesPath })
    : { rendered: [], summaries: {} }
  const body = [
    `Medians of ${ctx.runs} rounds, ms from process start (performance.now() in the app) to the first line of the entry,`,
    'when every imported value is usable. Each round starts the plain app, then the sealed and per-file apps against a',
    `local-kms per latency (${latencies.join(' and ')} ms, running side by side on copies of one data dir). Overheads are`,
    'medians of paired differences against the plain start of the same round; the round trip (RTT) is measured in',
    'the same round against the same local-kms (one Decrypt over a new connection from a warm process). The cold RTT',
    'is a second floor from the same rounds: a fresh process that, from its first line, loads node:crypto and node:net,',
    'signs, connects and makes the same one Decrypt (no SDK, no retry, no validation) until the value is decoded. All',
    'bundles: esbuild, ESM, node20, the runtime inlined.',
    '',
    table(
      [
        'imports',
        'KMS latency',
        'plain JSON',
        'sealed at build',
        'overhead',
        'RTT measured',
        'overhead − RTT',
        'cold RTT',
        'overhead − cold RTT',
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
    data: { res, latencies, restCount: big - 1, ...d, profiles: profiles.summaries },
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
        target: 'one round trip + ≤ 10 ms',
        figure: `overhead − RTT ${per(d.literal)}; overhead − cold RTT ${per(d.literalCold)}`,
        met: literalMet,
      },
    ],
  }
}
