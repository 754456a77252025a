/**
 * Benchmark 4 — local-kms throughput with TC3 verification: Decrypt and GenerateDataKey at concurrency 1, 32, 128,
 * closed loop from a separate client process, through the SDK transport (CommonClient + keep-alive agent) and
 * through raw TC3-signed requests (our 60-line signer on a keep-alive agent). The server is its own process too;
 * its CPU time during the measured window gives the capacity per CPU-second, which load on the machine cannot fake.
 */
import { fileURLToPath } from 'node:url'
import { runNode } from './lib/child.mjs'
import { latestProfile, renderProfile, summarizeProfile } from './lib/cpuprofile.mjs'
import { keyIds, kmsEnv, spawnLocalKms } from './lib/kms.mjs'
import { profileDir } from './lib/profile-run.mjs'
import { fmt, fmtInt, median, table } from './lib/stats.mjs'
import { barChart } from './lib/svg.mjs'

const worker = fileURLToPath(new URL('./workers/load-client.mjs', import.meta.url))
const targetRps = 3000

async function measureCell(ctx, kms, cell) {
  const port = Number(new URL(kms.endpoint).port)
  const config = { port, keyId: keyIds.load, durationMs: ctx.config.loadMs, warmupMs: ctx.config.loadWarmupMs, ...cell }
  let cpuStart = Number.NaN
  let cpuEnd = Number.NaN
  const { json } = await runNode(worker, {
    args: [JSON.stringify(config)],
    env: kmsEnv(kms.endpoint, ctx.ids.admin),
    onLine: (line) => {
      if (line.includes('"phase"')) cpuStart = kms.cpuSeconds()
      else if (line.includes('"rps"')) cpuEnd = kms.cpuSeconds()
    },
  })
  return {
    ...json,
    serverCpuPerReq: ((cpuEnd - cpuStart) * 1000) / json.requests,
    serverBusy: (cpuEnd - cpuStart) / (config.durationMs / 1000),
  }
}

function cells(ctx) {
  const out = []
  for (const transport of ctx.config.transports) {
    for (const action of ['Decrypt', 'GenerateDataKey']) {
      for (const concurrency of ctx.config.concurrencies) out.push({ transport, action, concurrency })
    }
  }
  return out
}

async function profileServer(ctx) {
  const dir = profileDir(ctx, 'local-kms')
  const kms = await spawnLocalKms(ctx.dataDir, { execArgv: ['--cpu-prof', '--cpu-prof-dir', dir] })
  try {
    await measureCell(ctx, kms, { transport: 'raw', action: 'Decrypt', concurrency: 32 })
  } finally {
    await kms.close()
  }
  const path = latestProfile(dir)
  const summary = path && summarizeProfile(path, 14)
  return (
    summary && {
      summary,
      rendered: renderProfile('CPU profile of local-kms serving raw Decrypt at concurrency 32', summary),
    }
  )
}

export async function run(ctx) {
  const kms = await spawnLocalKms(ctx.dataDir)
  const results = new Map()
  try {
    for (let r = 0; r < ctx.runs; r++) {
      for (const cell of cells(ctx)) {
        const key = `${cell.transport} ${cell.action} ${cell.concurrency}`
        const got = await measureCell(ctx, kms, cell)
        results.set(key, [...(results.get(key) ?? []), { ...cell, ...got }])
      }
    }
  } finally {
    await kms.close()
  }
  const rows = []
  const summary = []
  for (const [, runs] of results) {
    const m = (k) => median(runs.map((x) => x[k]))
    const s = {
      ...runs[0],
      rps: m('rps'),
      p50: m('p50'),
      p99: m('p99'),
      cpuPerReq: m('serverCpuPerReq'),
      busy: m('serverBusy'),
      clientCpu: m('clientCpu'),
      errors: m('errors'),
    }
    summary.push(s)
    rows.push([
      s.transport,
      s.action,
      s.concurrency,
      fmtInt(s.rps),
      fmt(s.p50, 2),
      fmt(s.p99, 2),
      fmt(s.cpuPerReq, 3),
      fmtInt(1000 / s.cpuPerReq),
      `${fmt(s.busy * 100, 0)} %`,
      `${fmt(s.clientCpu * 100, 0)} %`,
      s.errors,
    ])
  }
  const decrypt = summary.filter((s) => s.action === 'Decrypt' && s.concurrency > 1)
  const bestMeasured = Math.max(...decrypt.map((s) => s.rps))
  const capacity = Math.max(...decrypt.map((s) => 1000 / s.cpuPerReq))
  const best = decrypt.find((s) => s.rps === bestMeasured)
  const met = bestMeasured >= targetRps
  const profile = !met && ctx.profile ? await profileServer(ctx) : undefined
  const svg = barChart({
    title: 'local-kms requests/s (TC3 verified), closed loop from another process',
    unit: '',
    series: summary
      .filter((s) => s.action === 'Decrypt' && s.transport === ctx.config.transports[0])
      .map((s) => `c=${s.concurrency}`),
    groups: ctx.config.transports.flatMap((t) =>
      ['Decrypt', 'GenerateDataKey'].map((a) => ({
        label: `${t} ${a}`,
        values: summary.filter((s) => s.transport === t && s.action === a).map((s) => s.rps),
      })),
    ),
    target: { value: targetRps, label: `target ${targetRps}/s (10× Tencent's 300/s Decrypt quota)` },
  })
  const body = [
    `Closed-loop load for ${ctx.config.loadMs} ms after a ${ctx.config.loadWarmupMs} ms warm-up; medians of ${ctx.runs} runs per cell, cells interleaved.`,
    'Transport "sdk" = tencentcloud-sdk-nodejs-common CommonClient with a keep-alive http.Agent (production signing,',
    'service `kms`); "raw" = raw TC3-signed requests (bench/lib/tc3-client.mjs) on a keep-alive agent. Server CPU',
    'per request = local-kms process CPU time (/proc) in the measured window ÷ requests answered; "req per server',
    'CPU-second" is what one fully available core would serve. Busy = server CPU ÷ wall time.',
    '',
    table(
      [
        'transport',
        'action',
        'concurrency',
        'req/s',
        'p50 ms',
        'p99 ms',
        'server CPU ms/req',
        'req per server CPU-s',
        'server busy',
        'client busy',
        'errors',
      ],
      rows,
    ),
    '',
    `![local-kms throughput](${ctx.chartPrefix}throughput.svg)`,
    ...(profile ? ['', profile.rendered] : []),
  ].join('\n')
  return {
    title: '4. local-kms throughput',
    body,
    data: { summary, best, capacity, profile: profile?.summary },
    charts: [{ file: 'throughput.svg', svg }],
    targets: [
      {
        name: 'local-kms Decrypt req/s (TC3 verified)',
        target: `≥ ${targetRps}/s`,
        figure: `${fmtInt(bestMeasured)}/s measured (best of concurrency ${ctx.config.concurrencies.filter((c) => c > 1).join('/')}); ${fmtInt(capacity)} per server CPU-second`,
        met,
      },
    ],
  }
}
