/**
 * Runs the kms-secrets benchmarks and writes RESULTS.md (+ SVG charts) next to this file, or into --out <dir>.
 *   node bench/run.mjs            full run (packages must be built: `pnpm bench` does that first)
 *   node bench/run.mjs --smoke    tiny counts, 1 run each: checks that every benchmark executes (CI)
 *   --runs <n>   runs per figure (default 5; smoke 1)   --only <ids>   e.g. --only kms-calls,throughput
 *   --bundlers <list>   build-overhead only with these, e.g. --bundlers rollup,esbuild
 *   --no-profile skip the CPU profiles taken when a target is missed    --keep   keep bench/.work/<run>
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { explainMisses } from './lib/analysis.mjs'
import { renderResults } from './lib/report.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))
const modules = ['kms-calls', 'first-value', 'build-overhead', 'throughput', 'runtime-weight', 'fleet-start']

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    runs: { type: 'string' },
    only: { type: 'string' },
    bundlers: { type: 'string' },
    out: { type: 'string' },
    'no-profile': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
})

const smoke = values.smoke
const config = smoke
  ? {
      sizes: [1, 3],
      latencies: [0, 30],
      buildFiles: 5,
      buildWarmup: 0,
      bundlers: ['vite', 'rollup', 'rolldown', 'esbuild', 'webpack', 'rspack'],
      transports: ['sdk', 'raw'],
      concurrencies: [1, 8],
      loadMs: 150,
      loadWarmupMs: 50,
      fleetSizes: [20],
      fleetRuns: 1,
    }
  : {
      sizes: [1, 10, 100],
      latencies: [0, 30],
      buildFiles: 200,
      buildWarmup: 1,
      bundlers: ['vite', 'rollup', 'rolldown', 'esbuild', 'webpack', 'rspack'],
      transports: ['sdk', 'raw'],
      concurrencies: [1, 32, 128],
      loadMs: 1000,
      loadWarmupMs: 300,
      fleetSizes: [200, 1000],
      fleetRuns: 3,
    }

if (values.bundlers) config.bundlers = values.bundlers.split(',').map((s) => s.trim())
const outDir = values.out ?? here
const work = join(here, '.work', `run-${process.pid}`)
const log = (line) => process.stderr.write(`${line}\n`)

const resolveErrorRE =
  /ERR_MODULE_NOT_FOUND|Cannot find module|failed to resolve import|externalize this module|Could not resolve|Module not found|Can't resolve/i

/**
 * Other work on this machine may rebuild the packages while a benchmark runs (dist/ briefly missing): such a run is
 * retried after a pause instead of failing the whole bench.
 */
async function runModule(id, ctx) {
  for (let attempt = 1; ; attempt++) {
    try {
      const mod = await import(`./${id}.mjs`)
      return await mod.run(ctx)
    } catch (error) {
      await waitForPackages()
      // A package import that failed to resolve (node, or a bundler resolving the runtime) while dist/ was away.
      const rebuilding = resolveErrorRE.test(`${error?.message}\n${error?.stack}`)
      if (!rebuilding || attempt >= 3) throw error
      log(`bench: ${id}: packages' dist/ missing (a rebuild is under way?); retrying in 20 s`)
      await new Promise((resolve) => setTimeout(resolve, 20_000))
    }
  }
}

/** The built entries the benchmarks import (checked before anything imports them). */
const distFiles = [
  'core/dist/index.mjs',
  'core/dist/open.mjs',
  'runtime/dist/index.mjs',
  'local-kms/dist/index.mjs',
  'local-kms/dist/cli.mjs',
  ...['index', 'vite', 'rollup', 'rolldown', 'esbuild', 'webpack', 'rspack'].map((e) => `unplugin/dist/${e}.mjs`),
].map((f) => join(here, '..', 'packages', f))

/** Waits (up to 2 min) until every package's dist/ is there: another job on this machine may be rebuilding one. */
async function waitForPackages() {
  for (let waited = 0; ; waited += 5) {
    const missing = distFiles.filter((f) => !existsSync(f))
    if (missing.length === 0) return
    if (waited >= 120) throw new Error(`packages not built (run \`pnpm build\`): ${missing.join(', ')}`)
    if (waited === 0) log(`bench: waiting for ${missing.length} built package entries (a rebuild under way?)`)
    await new Promise((resolve) => setTimeout(resolve, 5000))
  }
}

async function main() {
  await waitForPackages()
  const { createIdentities, seedDataDir } = await import('./lib/kms.mjs')
  const selected = values.only ? values.only.split(',').map((s) => s.trim()) : modules
  for (const id of selected)
    if (!modules.includes(id)) throw new Error(`unknown benchmark ${id}; one of ${modules.join(', ')}`)
  rmSync(work, { recursive: true, force: true })
  mkdirSync(work, { recursive: true })
  const ids = createIdentities()
  const dataDir = join(work, 'kms')
  await seedDataDir(dataDir, ids)
  // In-process builds (the start apps) seal as the build identity, through the SDK's env credential chain.
  process.env.TENCENTCLOUD_SECRET_ID = ids.build.secretId
  process.env.TENCENTCLOUD_SECRET_KEY = ids.build.secretKey
  process.env.TENCENTCLOUD_REGION = 'ap-guangzhou'
  const runs = Number(values.runs ?? (smoke ? 1 : 5))
  const ctx = {
    smoke,
    runs,
    config,
    work,
    dataDir,
    ids,
    log,
    shared: {},
    profile: !smoke && !values['no-profile'],
    chartPrefix: '',
  }
  const started = new Date()
  const sections = []
  for (const id of selected) {
    const t0 = performance.now()
    log(`bench: ${id} …`)
    const section = await runModule(id, ctx)
    section.id = id
    section.seconds = (performance.now() - t0) / 1000
    log(`bench: ${id} done in ${section.seconds.toFixed(1)} s`)
    sections.push(section)
  }
  mkdirSync(outDir, { recursive: true })
  for (const s of sections) for (const c of s.charts ?? []) writeFileSync(join(outDir, c.file), c.svg)
  const notes = explainMisses(Object.fromEntries(sections.map((s) => [s.id, s])))
  const md = renderResults({ sections, started, finished: new Date(), smoke, runs, config, notes })
  writeFileSync(join(outDir, 'RESULTS.md'), md)
  log(`bench: wrote ${relative(process.cwd(), join(outDir, 'RESULTS.md'))}`)
}

try {
  await main()
} finally {
  if (!values.keep) rmSync(work, { recursive: true, force: true })
}
