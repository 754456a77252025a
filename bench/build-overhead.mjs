/**
 * Benchmark 3 — build overhead per bundler: the same app importing 200 secret files, built six ways interleaved
 * (each round every variant once, in a fresh seeded-random order) in one child process per bundler after
 * an untimed warm-up of each: plain JSON with the plugin off; two floors that do no plugin work (lib/js-hook.mjs:
 * a bare JS load hook returning the JSON as JS = the bundler's plugin bridge; the same returning the module shape
 * the plugin generates = plus what the bundler pays for that shape); the plugin on files sealed on disk (also with
 * `dts: false`); the plugin sealing plaintext at build (one GenerateDataKey). KMS calls come from the audit log.
 */
import { randomInt } from 'node:crypto'
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sealFilesTogether, writeEntry, writeSecretFiles } from './lib/app.mjs'
import { profileVariant, runBuildWorker } from './lib/build-profile.mjs'
import { keyIds, spawnLocalKms } from './lib/kms.mjs'
import { fmt, fmtRatio, median, table, verdict } from './lib/stats.mjs'
import { barChart } from './lib/svg.mjs'

const worker = fileURLToPath(new URL('./workers/build-bench.mjs', import.meta.url))
/**
 * `KMS_BENCH_PLUGIN_BEFORE=<dir>`: a second built copy of the plugin's dist (e.g. the previous commit's, copied to
 * packages/unplugin/node_modules/.bench-before/dist so that it resolves the same dependencies, with the package.json
 * beside it so that webpack/rspack resolve the copy's own loader by package name). Its "sealed" and
 * "seal-at-build" builds then run interleaved with this tree's in the same rounds, and the log prints both ratios to
 * the floor and the paired per-round ratio after ÷ before (wall and CPU): side by side on a noisy shared machine.
 * `KMS_BENCH_PLUGIN_BEFORE=aa`: an A/A control — a fresh copy of this tree's packages/unplugin/dist (in
 * packages/unplugin/node_modules/.bench-aa/dist) in the `-before` slots, so after ÷ before shows the harness's own bias.
 * `KMS_BENCH_SEED=<n>`: the seed of the per-round variant order (printed in the log and the section), to repeat a run.
 */
const pluginDir = fileURLToPath(new URL('../packages/unplugin/', import.meta.url))
const aaDist = join(pluginDir, 'node_modules', '.bench-aa', 'dist')
const pluginBefore = process.env.KMS_BENCH_PLUGIN_BEFORE === 'aa' ? aaDist : process.env.KMS_BENCH_PLUGIN_BEFORE
const seed = process.env.KMS_BENCH_SEED ? Number(process.env.KMS_BENCH_SEED) : randomInt(2 ** 32)
if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new Error('KMS_BENCH_SEED: an integer 0 … 2^32 − 1')
const beforeSuffix = '-before'
const abVariants = ['sealed', 'seal-at-build']
const maxRatio = 1.15
const columns = [
  ['js-hook', 'JS hook floor'],
  ['gen-hook', 'generated-module floor'],
  ['sealed', 'sealed on disk'],
  ['sealed-no-dts', 'same, dts: false'],
  ['seal-at-build', 'sealed at build'],
]

async function prepare(ctx, kms) {
  const plainDir = join(ctx.work, 'build-app', 'plain')
  const sealedDir = join(ctx.work, 'build-app', 'sealed')
  mkdirSync(sealedDir, { recursive: true })
  const files = writeSecretFiles(plainDir, ctx.config.buildFiles)
  const entry = writeEntry(plainDir, files)
  cpSync(join(plainDir, 'secrets'), join(sealedDir, 'secrets'), { recursive: true })
  writeEntry(sealedDir, files)
  await sealFilesTogether(sealedDir, files, { endpoint: kms.endpoint, keyId: keyIds.build, credential: ctx.ids.build })
  // A package.json keeps vite from walking up into the monorepo's.
  for (const dir of [plainDir, sealedDir]) writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n')
  const plugin = { endpoint: kms.endpoint }
  const variants = [
    { name: 'plain', root: plainDir, plugin: false },
    { name: 'js-hook', root: plainDir, plugin: 'js-hook' },
    { name: 'gen-hook', root: sealedDir, plugin: 'gen-hook' },
    { name: 'sealed', root: sealedDir, plugin },
    { name: 'sealed-no-dts', root: sealedDir, plugin: { ...plugin, dts: false } },
    { name: 'seal-at-build', root: plainDir, plugin: { ...plugin, keyId: keyIds.build } },
  ]
  // A/B: the same plugin variants from another built copy of the plugin, interleaved in the same rounds.
  if (pluginBefore === aaDist) {
    rmSync(aaDist, { recursive: true, force: true })
    cpSync(join(pluginDir, 'dist'), aaDist, { recursive: true })
    // Beside it the package.json, so that the copy's webpack/rspack rule resolves its own loader by package name.
    cpSync(join(pluginDir, 'package.json'), join(aaDist, '..', 'package.json'))
  }
  if (pluginBefore) {
    for (const name of abVariants) {
      const v = variants.find((x) => x.name === name)
      variants.push({ ...v, name: `${name}${beforeSuffix}`, plugin: { ...v.plugin, pluginDist: pluginBefore } })
    }
  }
  return { entry, variants }
}

function summarize(bundler, variants) {
  const plain = variants.plain.ms
  const calls = (name) => Math.max(...variants[name].calls.map((c) => Object.values(c).reduce((a, b) => a + b, 0)))
  const floor = variants['gen-hook'].ms
  const floorCpu = variants['gen-hook'].cpuMs
  const out = { bundler, ms: {}, ratio: {}, overFloor: {}, cpuOverFloor: {}, plainMs: median(plain) }
  for (const [name] of columns) {
    out.ms[name] = median(variants[name].ms)
    out.ratio[name] = median(variants[name].ms.map((ms, i) => ms / plain[i]))
    // Issue 11's target: the plugin's own cost, as per-round ratios to the generated-module floor of the same round.
    out.overFloor[name] = median(variants[name].ms.map((ms, i) => ms / floor[i]))
    out.cpuOverFloor[name] = median(variants[name].cpuMs.map((cpu, i) => cpu / floorCpu[i]))
  }
  return { ...out, sealedCalls: calls('sealed'), atBuildCalls: calls('seal-at-build') }
}

/** The A/B figures of one bundler: ratios to the floor (wall, CPU) before and after, and paired after ÷ before. */
function abLine(bundler, v) {
  const perRound = (a, b, key) => median(v[a][key].map((x, i) => x / v[b][key][i]))
  const parts = abVariants.map((name) => {
    const before = `${name}${beforeSuffix}`
    const floor = (n, key) => fmtRatio(perRound(n, 'gen-hook', key))
    return (
      `${name}: before ${floor(before, 'ms')} (CPU ${floor(before, 'cpuMs')}) after ${floor(name, 'ms')} ` +
      `(CPU ${floor(name, 'cpuMs')}) of the floor; after ÷ before ${fmtRatio(perRound(name, before, 'ms'))} ` +
      `(CPU ${fmtRatio(perRound(name, before, 'cpuMs'))})`
    )
  })
  return `  ${pluginBefore === aaDist ? 'A/A' : 'A/B'} ${bundler}: ${parts.join('; ')}`
}

/** Variants whose ratio to the generated-module floor is shown and held to the target. */
const floorColumns = ['sealed', 'sealed-no-dts', 'seal-at-build']

const ok = (s) =>
  s.overFloor.sealed <= maxRatio &&
  s.overFloor['seal-at-build'] <= maxRatio &&
  s.sealedCalls === 0 &&
  s.atBuildCalls <= 1

async function measure(ctx, kms, app) {
  const base = { runs: ctx.runs, warmup: ctx.config.buildWarmup, auditLog: kms.auditLog, entry: app.entry }
  const runWorker = async (o) =>
    (await runBuildWorker(worker, ctx, kms, { ...base, outRoot: join(ctx.work, 'build-out'), ...o })).json
  const summaries = []
  ctx.log(`  variant order shuffled every round, seed ${seed} (KMS_BENCH_SEED=${seed} repeats it)`)
  for (const bundler of ctx.config.bundlers) {
    const json = await runWorker({ bundler, variants: app.variants, seed })
    const s = summarize(bundler, json.variants)
    summaries.push(s)
    ctx.log(`  ${bundler}: ${fmtRatio(s.overFloor.sealed)} / ${fmtRatio(s.overFloor['seal-at-build'])} of the floor`)
    if (pluginBefore) ctx.log(abLine(bundler, json.variants))
  }
  const profiles = []
  for (const s of ctx.profile ? summaries.filter((x) => !ok(x)) : []) {
    const variant = (name) => app.variants.find((v) => v.name === name)
    const sealed = await profileVariant(ctx, { bundler: s.bundler, variant: variant('sealed'), runWorker })
    const atBuild = await profileVariant(ctx, { bundler: s.bundler, variant: variant('seal-at-build'), runWorker })
    s.pluginMs = { sealed: sealed.pluginMsPerBuild, atBuild: atBuild.pluginMsPerBuild }
    profiles.push(sealed.rendered, atBuild.rendered)
  }
  return { summaries, profiles }
}

function render(ctx, summaries, profiles) {
  const cell = (s, name) => `${fmt(s.ms[name], 0)} (${fmtRatio(s.ratio[name])})`
  const rows = summaries.map((s) => [
    s.bundler,
    fmt(s.plainMs, 0),
    ...columns.map(([name]) => cell(s, name)),
    ...floorColumns.map((name) => fmtRatio(s.overFloor[name])),
    `${fmtRatio(s.cpuOverFloor.sealed)} / ${fmtRatio(s.cpuOverFloor['seal-at-build'])}`,
    `${s.sealedCalls} / ${s.atBuildCalls}`,
    verdict(ok(s)),
  ])
  const header = [
    'bundler',
    'plain JSON',
    ...columns.map(([, label]) => label),
    ...floorColumns.map((name) => `${columns.find(([n]) => n === name)[1]} ÷ floor`),
    'CPU ÷ floor (disk / build)',
    'KMS calls (disk / build)',
  ]
  return [
    `${ctx.config.buildFiles} secret files (~170 B each) imported by one entry; ESM server build, no minify, no source`,
    `maps, bare imports external. Wall time per build in ms (medians of ${ctx.runs} interleaved builds in a warm process;`,
    `each round builds every variant once, in its own random order: seed ${seed})`,
    'and, in brackets, medians of per-round ratios to the plain build of the same round. KMS calls = audit-log lines',
    'per build (max over the runs). Plugin options: defaults (dts on, as typescript resolves from the app; leak check',
    'on). The two floors do no plugin work: "JS hook" = a bare JS load hook (webpack/rspack: loader) returning each',
    'JSON file as JS (the bundler\'s plugin bridge); "generated-module" = the same over the sealed files returning the',
    "module shape the plugin generates (envelope literal, top-level await, named exports): the bundler's cost of it.",
    `"÷ floor" = medians of per-round ratios to the generated-module floor: the plugin's own cost (target ≤ ${maxRatio}×).`,
    '"CPU ÷ floor": the same with the CPU time of the build process (JS and native bundler threads, not esbuild\'s Go',
    'process), less swayed than wall time by other jobs on a shared machine.',
    '',
    table([...header, `≤ ${maxRatio}× floor and ≤ 1 call`], rows),
    '',
    `![build time ratio per bundler](${ctx.chartPrefix}chart.svg)`,
    ...profiles.flatMap((p) => ['', p]),
  ].join('\n')
}

/** Build time ÷ the generated-module floor (the target), per bundler; exported to redraw it from a table. */
export function buildChart(summaries, n) {
  return barChart({
    title: `Build time ÷ generated-module floor (${n} secret files)`,
    unit: '×',
    series: ['sealed on disk', 'same, dts: false', 'sealed at build'],
    groups: summaries.map((s) => ({ label: s.bundler, values: floorColumns.map((k) => s.overFloor[k]) })),
    target: { value: maxRatio, label: `target ${maxRatio}×` },
  })
}

export async function run(ctx) {
  const kms = await spawnLocalKms(ctx.dataDir)
  try {
    const app = await prepare(ctx, kms)
    const { summaries, profiles } = await measure(ctx, kms, app)
    const n = ctx.config.buildFiles
    const svg = buildChart(summaries, n)
    const missed = summaries.filter((s) => !ok(s)).map((s) => s.bundler)
    const ratios = summaries.map(
      (s) => `${s.bundler} ${fmtRatio(s.overFloor.sealed)}/${fmtRatio(s.overFloor['seal-at-build'])}`,
    )
    return {
      title: '3. Build overhead per bundler',
      body: render(ctx, summaries, profiles),
      data: { summaries },
      charts: [{ file: 'chart.svg', svg }],
      targets: [
        {
          name: `plugin build cost, ${n} secrets, per bundler (sealed on disk / at build)`,
          target: `≤ ${maxRatio}× the generated-module floor, ≤ 1 KMS call per build`,
          figure: `${ratios.join(', ')}; KMS calls per build ≤ ${Math.max(...summaries.map((s) => s.atBuildCalls))}`,
          met: missed.length === 0,
          note: missed.length ? `missed by ${missed.join(', ')}` : undefined,
        },
      ],
    }
  } finally {
    await kms.close()
  }
}
