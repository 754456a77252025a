/**
 * Child process of the build-overhead benchmark: builds the same 200-secret app with ONE bundler, variants
 * interleaved (plain, js-hook, sealed, seal-at-build, plain, …) after one untimed warm-up build each, and prints
 * {"variants":{name:{ms:[…], cpuMs:[…], calls:[{…}]}}} — wall and CPU time per build and the KMS calls its audit-log
 * lines show.
 * argv[2]: JSON {bundler, runs, warmup, auditLog, variants:[{name, root, plugin}], entry, outRoot, profile?, rotate?}; with
 * `profile`, the timed builds (not the warm-up, not loading the bundlers) are CPU-profiled into that file.
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
for (let r = 0; r < config.runs; r++) {
  // `rotate` (A/B runs): round r starts at variant r, so that no variant always follows the same one.
  const k = config.rotate ? r % config.variants.length : 0
  for (const v of [...config.variants.slice(k), ...config.variants.slice(0, k)]) {
    const { ms, cpuMs, calls } = await timed(v, r)
    results[v.name].ms.push(ms)
    results[v.name].cpuMs.push(cpuMs)
    results[v.name].calls.push(calls)
  }
}
if (session) writeFileSync(config.profile, JSON.stringify((await session.post('Profiler.stop')).profile))
console.log(JSON.stringify({ bundler: config.bundler, variants: results }))
