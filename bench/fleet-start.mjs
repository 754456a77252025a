/**
 * Benchmark 5c — fleet start against Tencent's default quota: N server processes start at once and each needs its
 * one Decrypt from a local-kms throttled to 300 requests/s (token bucket, burst 300). Simulated in ONE child process
 * holding N independent runtime openers (own SDK client and connections each) — 200 real node processes would
 * measure this 2-core machine's process spawning, not the protocol. Compared: the runtime's jittered exponential
 * backoff vs a naive fixed-interval retry without jitter. A fresh local-kms (full bucket) serves every run.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createTencentProvider, sealSecret } from '@kms-secrets/core'
import { runNode } from './lib/child.mjs'
import { countCalls, keyIds, kmsEnv, spawnLocalKms } from './lib/kms.mjs'
import { fmt, fmtInt, median, table } from './lib/stats.mjs'

const worker = fileURLToPath(new URL('./workers/fleet.mjs', import.meta.url))
const qps = 300

async function sealEnvelope(ctx) {
  const kms = await spawnLocalKms(ctx.dataDir)
  try {
    const provider = createTencentProvider({
      endpoint: kms.endpoint,
      credential: ctx.ids.build,
      region: 'ap-guangzhou',
    })
    const payload = new TextEncoder().encode(JSON.stringify({ password: 'fleet-bench-not-a-secret' }))
    const envelope = await sealSecret({
      provider,
      keyId: keyIds.fleet,
      id: 'fleet.secret.json',
      format: 'json',
      payload,
    })
    const dir = join(ctx.work, 'fleet')
    mkdirSync(dir, { recursive: true })
    const path = join(dir, 'envelope.json')
    writeFileSync(path, JSON.stringify(envelope))
    return path
  } finally {
    await kms.close()
  }
}

async function simulate(ctx, envelopePath, count, strategy) {
  const kms = await spawnLocalKms(ctx.dataDir, { throttleQps: qps })
  try {
    const mark = kms.mark()
    const { json } = await runNode(worker, {
      args: [JSON.stringify({ count, strategy, envelopePath })],
      env: kmsEnv(kms.endpoint, ctx.ids.runtime),
      timeoutMs: 300_000,
    })
    // Not filtered by key: a throttled request is refused before its key is looked at (keyId null in the audit
    // line), and this local-kms serves only the fleet.
    const calls = countCalls(kms.entriesSince(mark))
    const other = Object.entries(calls).filter(([k]) => !['Decrypt', 'Decrypt:RequestLimitExceeded'].includes(k))
    return { ...json, ok: calls.Decrypt ?? 0, throttled: calls['Decrypt:RequestLimitExceeded'] ?? 0, other }
  } finally {
    await kms.close()
  }
}

export async function run(ctx) {
  const envelopePath = await sealEnvelope(ctx)
  const runs = Math.min(ctx.runs, ctx.config.fleetRuns)
  const rows = []
  const data = []
  for (const count of ctx.config.fleetSizes) {
    const got = { jitter: [], naive: [] }
    for (let r = 0; r < runs; r++) {
      for (const strategy of ['jitter', 'naive']) got[strategy].push(await simulate(ctx, envelopePath, count, strategy))
    }
    for (const strategy of ['jitter', 'naive']) {
      const m = (k) => median(got[strategy].map((x) => x[k]))
      const failures = [...new Set(got[strategy].flatMap((x) => Object.keys(x.failures)))].join(', ')
      const s = {
        count,
        strategy,
        max: m('max'),
        p50: m('p50'),
        // Failures are rare events: every run's count is shown, and any failure in any run counts.
        failedRuns: got[strategy].map((x) => x.failed),
        failed: Math.max(...got[strategy].map((x) => x.failed)),
        failures,
        requests: median(got[strategy].map((x) => x.ok + x.throttled)),
        rate: median(got[strategy].map((x) => ((x.ok + x.throttled) / x.max) * 1000)),
        throttled: m('throttled'),
      }
      data.push(s)
      rows.push([
        count,
        strategy === 'jitter'
          ? 'runtime defaults: full-jitter exponential backoff'
          : 'naive: fixed 99 ms retry, no jitter',
        fmt(s.max, 0),
        fmt(s.p50, 0),
        s.failed ? `${s.failedRuns.join(' / ')} (${s.failures})` : 0,
        fmtInt(s.requests),
        fmtInt(s.rate),
        fmtInt(s.throttled),
      ])
    }
  }
  const body = [
    `local-kms \`--throttle-qps ${qps}\` (token bucket, burst ${qps}); all openers start at the same instant; medians of ${runs} runs.`,
    'Method: one child process holds N independent runtime openers (createSecretOpener: own SDK client, own',
    'connections), each opening the same sealed envelope — the one Decrypt a process does at start. Request and',
    'throttle counts from the audit log. Caveat: that one process (one core, a new connection per SDK request, as',
    'the runtime does) can only send so many requests per second ("requests/s sent"), which caps how hard the naive',
    'client can hammer the quota here; a real fleet on many machines would send far more throttled retries.',
    '',
    table(
      [
        'processes',
        'client',
        'last one serving after ms',
        'p50 serving ms',
        'failed, per run (retries exhausted)',
        'Decrypt requests',
        'requests/s sent',
        'throttled',
      ],
      rows,
    ),
  ].join('\n')
  const jitter = data.filter((d) => d.strategy === 'jitter')
  const naive = data.filter((d) => d.strategy === 'naive')
  const figure = jitter
    .map(
      (j, i) =>
        `${j.count}: ${fmt(j.max, 0)} ms, ${j.failedRuns.join('/')} failed, ${fmtInt(j.throttled)} throttled (naive ${fmt(naive[i].max, 0)} ms, ${naive[i].failedRuns.join('/')} failed, ${fmtInt(naive[i].throttled)} throttled)`,
    )
    .join('; ')
  return {
    title: '5c. Fleet start against a 300 QPS quota',
    body,
    data: { fleet: data },
    targets: [
      {
        name: `fleet start at ${qps} QPS, runtime defaults`,
        target: 'every process serving within its retry budget',
        figure,
        met: jitter.every((j) => j.failed === 0),
      },
    ],
  }
}
