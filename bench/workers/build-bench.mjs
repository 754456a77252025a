/**
 * Child process of the build-overhead benchmark: builds the same 200-secret app with ONE bundler, variants
 * interleaved (every variant once per round, in a fresh order each round) after one untimed warm-up build each, and prints
 * {"variants":{name:{ms:[…], cpuMs:[…], calls:[{…}]}}} — wall and CPU time per build and the KMS calls its audit-log
 * lines show.
 * argv[2]: JSON {bundler, runs, warmup, auditLog, variants:[{name, root, plugin}], entry, outRoot, seed?, profile?};
 * with `profile`, the timed builds (not the warm-up, not loading the bundlers) are CPU-profiled into that file.
 * `seed` (an unsigned 32-bit integer) seeds the shuffle of the variant order, so that a run's orders can be repeated.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'
import { readAudit } from '@kms-secrets/testkit/local-kms'
import { build } from '../lib/bundlers.mjs'
import { countCalls } from '../lib/kms.mjs'

const config = JSON.parse(process.argv[2])
const mark = () => (existsSync(config.auditLog) ? statSync(config.auditLog).size : 0)

async function timed(variant, i) {
  const before = mark()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await build[config.bundler]({
    root: variant.root,
    entry: config.entry,
    outDir: join(config.outRoot, `${config.bundler}-${variant.name}-${i % 2}`),
    plugin: variant.plugin,
  })
  const ms = performance.now() - t0
  // CPU of this process (JS thread and the bundlers' native threads; not esbuild's Go process): less swayed than
  // wall time by other jobs on a shared machine.
  const cpu = process.cpuUsage(cpu0)
  const cpuMs = (cpu.user + cpu.system) / 1000
  return { ms, cpuMs, calls: countCalls(readAudit(config.auditLog, before)) }
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A Fisher–Yates shuffle of a copy of `items`. */
function shuffled(items, random) {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

const results = Object.fromEntries(config.variants.map((v) => [v.name, { ms: [], cpuMs: [], calls: [] }]))
for (let w = 0; w < config.warmup; w++) {
  for (const v of config.variants) await timed(v, w)
}
const session = config.profile ? new Session() : undefined
if (session) {
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
}
// Every round in its own random order: a fixed cyclic order (even rotated per round) keeps each variant behind the same
// predecessor, and on rspack that alone moved one of two identical builds by 1.06–1.20× (A/A, 2026-12-06).
const random = prng(config.seed ?? 1)
for (let r = 0; r < config.runs; r++) {
  for (const v of shuffled(config.variants, random)) {
    const { ms, cpuMs, calls } = await timed(v, r)
    results[v.name].ms.push(ms)
    results[v.name].cpuMs.push(cpuMs)
    results[v.name].calls.push(calls)
  }
}
if (session) writeFileSync(config.profile, JSON.stringify((await session.post('Profiler.stop')).profile))
console.log(JSON.stringify({ bundler: config.bundler, variants: results }))
