/**
 * Benchmark 3 — build overhead per bundler: the same app importing 200 secret files built five ways, interleaved
 * (plain, js-hook, sealed, sealed-no-dts, seal-at-build, plain, …) in one child process per bundler after one untimed warm-up each:
 * plain JSON with the plugin off; the "JS hook floor" (a bare JS load hook returning each file as JS: the bundler's
 * plugin-bridge cost, which any per-file JS plugin pays); files sealed on disk (plugin validates and embeds), also
 * with `dts: false` (no .d.json.ts written/compared);
 * plaintext sealed at build (plugin does one GenerateDataKey). KMS calls per build come from local-kms's audit log.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sealFilesTogether, writeEntry, writeSecretFiles } from './lib/app.mjs'
import { runNode } from './lib/child.mjs'
import { renderProfile, summarizeProfile } from './lib/cpuprofile.mjs'
import { keyIds, kmsEnv, spawnLocalKms } from './lib/kms.mjs'
import { profileDir } from './lib/profile-run.mjs'
import { fmt, fmtRatio, median, table, verdict } from './lib/stats.mjs'
import { barChart } from './lib/svg.mjs'

const worker = fileURLToPath(new URL('./workers/build-bench.mjs', import.meta.url))
const maxRatio = 1.15

async function prepare(ctx, kms) {
  const plainDir = join(ctx.work, 'build-app', 'plain')
  const sealedDir = join(ctx.work, 'build-app', 'sealed')
  mkdirSync(sealedDir, { recursive: true })
  const files = writeSecretFiles(plainDir, ctx.config.buildFiles)
  const entry = writeEntry(plainDir, files)
  cpSync(join(plainDir, 'secrets'), join(sealedDir, 'secrets'), { recursive: true })
  writeEntry(sealedDir, files)
  await sealFilesTogether(sealedDir, files, { endpoint: kms.endpoint, keyId: keyIds.build, credential: ctx.ids.build })
  // Rollup/vite need no package.json, but one keeps vite from walking up into the monorepo's.
  for (const dir of [plainDir, sealedDir]) writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n')
  const plugin = { endpoint: kms.endpoint }
  return {
    entry,
    variants: [
      { name: 'plain', root: plainDir, plugin: false },
      { name: 'js-hook', root: plainDir, plugin: 'js-hook' },
      { name: 'sealed', root: sealedDir, plugin },
      { name: 'sealed-no-dts', root: sealedDir, plugin: { ...plugin, dts: false } },
      { name: 'seal-at-build', root: plainDir, plugin: { ...plugin, keyId: keyIds.build } },
    ],
  }
}

function workerConfig(ctx, kms, app, bundler, overrides = {}) {
  return JSON.stringify({
    bundler,
    runs: ctx.runs,
    warmup: ctx.config.buildWarmup,
    auditLog: kms.auditLog,
    entry: app.entry,
    outRoot: join(ctx.work, 'build-out'),
    variants: app.variants,
    ...overrides,
  })
}

function summarize(bundler, variants) {
  const plain = variants.plain.ms
  const ratio = (name) => median(variants[name].ms.map((ms, i) => ms / plain[i]))
  const maxCalls = (name) => Math.max(...variants[name].calls.map((c) => Object.values(c).reduce((a, b) => a + b, 0)))
  return {
    bundler,
    plainMs: median(plain),
    hookMs: median(variants['js-hook'].ms),
    hookRatio: ratio('js-hook'),
    noDtsMs: median(variants['sealed-no-dts'].ms),
    noDtsRatio: ratio('sealed-no-dts'),
    sealedMs: median(variants.sealed.ms),
    atBuildMs: median(variants['seal-at-build'].ms),
    sealedRatio: ratio('sealed'),
    atBuildRatio: ratio('seal-at-build'),
    sealedCalls: maxCalls('sealed'),
    atBuildCalls: maxCalls('seal-at-build'),
  }
}

const pluginOrigins = ['unplugin-kms-secrets', '@kms-secrets/core', 'unplugin', 'unplugin-utils', 'yaml', 'dotenv']
const profiledBuilds = 3

/**
 * A CPU profile of the timed builds of one variant (3 builds of it only, after a warm-up) of a bundler that missed,
 * and the CPU per build spent in the plugin's own code (unplugin-kms-secrets, core, unplugin and their parsers).
 */
async function profileVariant(ctx, kms, app, bundler, name) {
  const variants = app.variants.filter((v) => v.name === name)
  const dir = profileDir(ctx, 'build')
  mkdirSync(dir, { recursive: true })
  const profile = join(dir, `${bundler}-${name}.cpuprofile`)
  const args = [workerConfig(ctx, kms, app, bundler, { variants, runs: profiledBuilds, warmup: 1, profile })]
  await runNode(worker, { args, env: kmsEnv(kms.endpoint, ctx.ids.build), timeoutMs: 600_000 })
  const summary = summarizeProfile(profile, 12, new Map(), 40)
  const pluginMs = summary.buckets.filter((b) => pluginOrigins.includes(b.bucket)).reduce((a, b) => a + b.ms, 0)
  const title = `CPU profile, ${bundler} "${name}" (${profiledBuilds} timed builds; plugin code ${fmt(pluginMs / profiledBuilds)} ms per build)`
  return { pluginMsPerBuild: pluginMs / profiledBuilds, rendered: renderProfile(title, summary) }
}

async function profileMisses(ctx, kms, app, summaries, ok) {
  const rendered = []
  for (const s of summaries.filter((x) => !ok(x))) {
    const sealed = await profileVariant(ctx, kms, app, s.bundler, 'sealed')
    const atBuild = await profileVariant(ctx, kms, app, s.bundler, 'seal-at-build')
    s.pluginMs = { sealed: sealed.pluginMsPerBuild, atBuild: atBuild.pluginMsPerBuild }
    rendered.push(sealed.rendered, atBuild.rendered)
  }
  return rendered
}

export async function run(ctx) {
  const kms = await spawnLocalKms(ctx.dataDir)
  try {
    const app = await prepare(ctx, kms)
    const summaries = []
    for (const bundler of ctx.config.bundlers) {
      const { json } = await runNode(worker, {
        args: [workerConfig(ctx, kms, app, bundler)],
        env: kmsEnv(kms.endpoint, ctx.ids.build),
        timeoutMs: 600_000,
      })
      summaries.push(summarize(bundler, json.variants))
      ctx.log(
        `  ${bundler}: ${summaries.at(-1).sealedRatio.toFixed(2)}× / ${summaries.at(-1).atBuildRatio.toFixed(2)}×`,
      )
    }
    const ok = (s) =>
      s.sealedRatio <= maxRatio && s.atBuildRatio <= maxRatio && s.sealedCalls === 0 && s.atBuildCalls <= 1
    const profiles = ctx.profile ? await profileMisses(ctx, kms, app, summaries, ok) : []
    const n = ctx.config.buildFiles
    const rows = summaries.map((s) => [
      s.bundler,
      fmt(s.plainMs, 0),
      `${fmt(s.hookMs, 0)} (${fmtRatio(s.hookRatio)})`,
      fmt(s.sealedMs, 0),
      fmtRatio(s.sealedRatio),
      `${fmt(s.noDtsMs, 0)} (${fmtRatio(s.noDtsRatio)})`,
      s.sealedCalls,
      fmt(s.atBuildMs, 0),
      fmtRatio(s.atBuildRatio),
      s.atBuildCalls,
      verdict(ok(s)),
    ])
    const body = [
      `${n} secret files (~170 B each) imported by one entry; ESM server build, no minify, no source maps, bare`,
      `imports external. Wall time per build in ms (medians of ${ctx.runs} interleaved builds, warm process); ratios are`,
      'medians of per-round ratios against the plain build of the same round. KMS calls = audit-log lines per build.',
      'Plugin options: defaults (dts on, since typescript resolves from the app; leak check on). "JS hook floor" = a',
      "bare JS load hook (webpack/rspack: loader) that returns each file as JS — the bundler's own plugin-bridge cost.",
      '',
      table(
        [
          'bundler',
          'plain JSON ms',
          'JS hook floor ms',
          'sealed on disk ms',
          'ratio',
          'same, dts: false',
          'KMS calls',
          'sealed at build ms',
          'ratio',
          'KMS calls',
          `≤ ${maxRatio}× and ≤ 1 call`,
        ],
        rows,
      ),
      '',
      `![build time ratio per bundler](${ctx.chartPrefix}chart.svg)`,
      ...profiles.filter(Boolean).flatMap((p) => ['', p]),
    ].join('\n')
    const svg = barChart({
      title: `Build time with the plugin ÷ plain JSON build (${n} secret files)`,
      unit: '×',
      series: ['bare JS hook (floor)', 'sealed on disk', 'sealed at build (1 GenerateDataKey)'],
      groups: summaries.map((s) => ({ label: s.bundler, values: [s.hookRatio, s.sealedRatio, s.atBuildRatio] })),
      target: { value: maxRatio, label: `target ${maxRatio}×` },
    })
    const missed = summaries.filter((s) => !ok(s)).map((s) => s.bundler)
    return {
      title: '3. Build overhead per bundler',
      body,
      data: { summaries },
      charts: [{ file: 'chart.svg', svg }],
      targets: [
        {
          name: `build time, ${n} secrets, per bundler`,
          target: `≤ ${maxRatio}× plain JSON, ≤ 1 KMS call per build`,
          figure:
            summaries.map((s) => `${s.bundler} ${fmtRatio(s.sealedRatio)}/${fmtRatio(s.atBuildRatio)}`).join(', ') +
            `; calls ≤ ${Math.max(...summaries.map((s) => s.atBuildCalls))}`,
          met: missed.length === 0,
          note: missed.length ? `missed by ${missed.join(', ')}` : undefined,
        },
      ],
    }
  } finally {
    await kms.close()
  }
}
