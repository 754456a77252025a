/**
 * Benchmark 5a/b — runtime weight: bytes the runtime adds to a minified node server bundle with everything inlined
 * (esbuild, one secret import vs one plain JSON import), as ESM and as CommonJS (+ the worker file the plugin writes
 * next to a CommonJS bundle), beside the physical floor (the generated module and its envelope, runtime external);
 * and the cold-start time it adds, split into loading the runtime and opening the secret (one Decrypt + AES-GCM).
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { gzipSync } from 'node:zlib'
import * as esbuild from 'esbuild'
import kmsEsbuild from 'unplugin-kms-secrets/esbuild'
import { writeEntry, writeSecretFiles } from './lib/app.mjs'
import { runNode } from './lib/child.mjs'
import { keyIds, kmsEnv, spawnLocalKms } from './lib/kms.mjs'
import { fmt, fmtBytes, fmtSigned, median, table } from './lib/stats.mjs'

const runtimeEntry = new URL(import.meta.resolve('@kms-secrets/runtime')).pathname
const packagesDir = new URL('../packages/', import.meta.url).pathname
const workerName = 'kms-secrets-worker.cjs'
const budget = 30 * 1024

/** The plain app plus an import of the runtime that is kept (so it loads) but never called. */
function writeRuntimeOnlyEntry(dir, files) {
  const plain = readFileSync(join(dir, writeEntry(dir, files, 'plain-entry.mjs')), 'utf8')
  const text = `import * as kmsRuntime from ${JSON.stringify(runtimeEntry)}\nglobalThis.__kmsRuntime = kmsRuntime\n${plain}`
  writeFileSync(join(dir, 'runtime-only.mjs'), text)
  return 'runtime-only.mjs'
}

/** One minified node20 bundle; no banner (nothing inlined needs `require` any more). */
async function bundle(dir, entry, outfile, { format = 'esm', plugin, external = [], conditions } = {}) {
  const result = await esbuild.build({
    entryPoints: [join(dir, entry)],
    absWorkingDir: dir,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format,
    outfile,
    external,
    ...(conditions ? { conditions } : {}),
    metafile: true,
    logLevel: 'silent',
    plugins: plugin ? [kmsEsbuild({ dts: false, ...plugin })] : [],
  })
  return { metafile: result.metafile, warnings: result.warnings }
}

async function buildAll(ctx, kms) {
  const dir = join(ctx.work, 'weight')
  const files = writeSecretFiles(dir, 1)
  const entry = writeEntry(dir, files)
  const runtimeOnly = writeRuntimeOnlyEntry(dir, files)
  const out = (name) => join(dir, 'out', name, name.endsWith('cjs') ? 'server.cjs' : 'server.mjs')
  const plugin = { keyId: keyIds.weight, endpoint: kms.endpoint }
  const warnings = []
  const add = (r) => {
    warnings.push(...r.warnings.map((w) => w.text))
  }
  add(await bundle(dir, entry, out('plain'), {}))
  add(await bundle(dir, entry, out('plain-cjs'), { format: 'cjs' }))
  add(await bundle(dir, runtimeOnly, out('runtime-only'), {}))
  add(await bundle(dir, entry, out('floor'), { plugin, external: ['@kms-secrets/runtime'] }))
  add(await bundle(dir, entry, out('sealed'), { plugin }))
  add(await bundle(dir, entry, out('sealed-cjs'), { format: 'cjs', plugin }))
  // From our packages' sources (the `source` export condition): the same code, attributable file by file.
  let srcMeta
  try {
    srcMeta = (await bundle(dir, entry, join(dir, 'out', 'src', 'server.mjs'), { plugin, conditions: ['source'] }))
      .metafile
  } catch (error) {
    ctx.log(`bench: runtime-weight: source build failed (${error.message.split('\n')[0]}); no breakdown`)
  }
  return { dir, out, srcMeta, warnings }
}

function sizes(file) {
  const bytes = statSync(file).size
  return { bytes, gzip: gzipSync(readFileSync(file), { level: 9 }).length }
}

/** A CommonJS bundle's weight includes the worker file the plugin writes next to it. */
function sizesWithWorker(file) {
  const s = sizes(file)
  const worker = join(file, '..', workerName)
  if (!existsSync(worker)) return { ...s, worker: undefined }
  const w = sizes(worker)
  return { bytes: s.bytes + w.bytes, gzip: s.gzip + w.gzip, worker: w }
}

/** Bytes of the sealed bundle by source file of runtime and core (others by package), esbuild metafile. */
function breakdown(meta, dir, top = 12) {
  const output = Object.values(meta.outputs).find((o) => o.entryPoint)
  const by = new Map()
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const abs = join(dir, path)
    const inPackages = relative(packagesDir, abs)
    const key = /^(runtime|core)\//.test(inPackages)
      ? inPackages
      : (/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(abs)?.[1] ?? '(app: entry + generated module)')
    by.set(key, (by.get(key) ?? 0) + bytesInOutput)
  }
  const sorted = [...by.entries()].filter(([, b]) => b > 0).sort((a, b) => b[1] - a[1])
  const rest = sorted.slice(top)
  const restBytes = rest.reduce((a, [, b]) => a + b, 0)
  return [...sorted.slice(0, top), ...(rest.length ? [[`${rest.length} other files`, restBytes]] : [])]
}

async function coldStarts(ctx, b, env) {
  const kinds = ['plain', 'runtime-only', 'sealed', 'plain-cjs', 'sealed-cjs']
  const t = Object.fromEntries(kinds.map((k) => [k, []]))
  for (let r = 0; r < ctx.runs; r++) {
    for (const k of kinds) {
      const { json } = await runNode(b.out(k), { env })
      if (!json?.ok) throw new Error(`${k} bundle printed no well-formed value`)
      t[k].push(json.t)
    }
  }
  const diff = (a, z) => median(t[a].map((v, i) => v - t[z][i]))
  return {
    ...Object.fromEntries(kinds.map((k) => [k, median(t[k])])),
    load: diff('runtime-only', 'plain'),
    open: diff('sealed', 'runtime-only'),
    total: diff('sealed', 'plain'),
    totalCjs: diff('sealed-cjs', 'plain-cjs'),
  }
}

function sizeTable(s) {
  const added = (k, base) => `+${fmtBytes(s[k].bytes - s[base].bytes)} (+${fmtBytes(s[k].gzip - s[base].gzip)} gzip)`
  const row = (label, k, base) => [
    label,
    fmtBytes(s[k].bytes),
    fmtBytes(s[k].gzip),
    base ? added(k, base) : '—',
    base && k !== 'floor' ? `+${fmtBytes(s[k].bytes - s[base === 'plain' ? 'floor' : 'floor-cjs'].bytes)}` : '—',
  ]
  const worker = s['sealed-cjs'].worker
  const inBundle = s['sealed-cjs'].bytes - (worker?.bytes ?? 0) - s['plain-cjs'].bytes
  return table(
    ['bundle', 'bytes', 'gzip -9', `added vs plain JSON (target ≤ ${fmtBytes(budget)})`, 'runtime share (vs floor)'],
    [
      row('ESM: plain JSON, plugin off', 'plain'),
      row('ESM: physical floor — generated module + envelope, runtime left external', 'floor', 'plain'),
      row('ESM: sealed, runtime inlined (dist as shipped)', 'sealed', 'plain'),
      row('CJS: plain JSON, plugin off', 'plain-cjs'),
      row(
        `CJS: sealed, runtime inlined (+${fmtBytes(inBundle)} in the bundle), + ${workerName}${worker ? ` (${fmtBytes(worker.bytes)})` : ' (none written)'}`,
        'sealed-cjs',
        'plain-cjs',
      ),
    ],
  )
}

function coldTable(ctx, cold) {
  return [
    `Cold start, ms from process start to the value being usable (medians of ${ctx.runs} interleaved starts; local-kms at 0 ms):`,
    '',
    table(
      ['app', 'ms', 'added (paired median)'],
      [
        ['ESM: plain JSON', fmt(cold.plain), '—'],
        [
          'ESM: plain JSON + runtime module loaded, not called',
          fmt(cold['runtime-only']),
          `${fmtSigned(cold.load)} ms (loading the runtime)`,
        ],
        [
          'ESM: sealed secret',
          fmt(cold.sealed),
          `${fmtSigned(cold.open)} ms (Decrypt + AES-GCM) → ${fmtSigned(cold.total)} ms total`,
        ],
        ['CJS: plain JSON', fmt(cold['plain-cjs']), '—'],
        [
          'CJS: sealed secret (openSecretSync: worker thread)',
          fmt(cold['sealed-cjs']),
          `${fmtSigned(cold.totalCjs)} ms total`,
        ],
      ],
    ),
  ].join('\n')
}

export async function run(ctx) {
  const kms = await spawnLocalKms(ctx.dataDir)
  try {
    const b = await buildAll(ctx, kms)
    const s = Object.fromEntries(
      ['plain', 'runtime-only', 'floor', 'sealed', 'plain-cjs'].map((k) => [k, sizes(b.out(k))]),
    )
    s['sealed-cjs'] = sizesWithWorker(b.out('sealed-cjs'))
    // The floor is the same generated module in either format; its CommonJS twin differs only by esbuild's wrapper.
    s['floor-cjs'] = { bytes: s.floor.bytes - s.plain.bytes + s['plain-cjs'].bytes }
    const cold = await coldStarts(ctx, b, kmsEnv(kms.endpoint, ctx.ids.runtime))
    const origins = b.srcMeta ? breakdown(b.srcMeta, b.dir) : []
    const addedEsm = s.sealed.bytes - s.plain.bytes
    const addedCjs = s['sealed-cjs'].bytes - s['plain-cjs'].bytes
    const body = [
      'One secret import vs one plain JSON import, esbuild `--minify`, node20, everything bundled into one file (the',
      `runtime has no dependency left: it signs and sends its Decrypt itself). A CommonJS bundle decrypts through`,
      `openSecretSync on a worker thread: the plugin writes ${workerName} next to it, counted here. The bundle`,
      'itself inlines only the `@kms-secrets/runtime/sync` stub, which loads the opener from that same file.',
      '',
      sizeTable(s),
      '',
      `esbuild warnings in these builds: ${b.warnings.length === 0 ? 'none' : b.warnings.join(' · ')}.`,
      '',
      ...(origins.length
        ? [
            'Sealed ESM bundle built from our sources (same code as the dist, attributable), by file, bytes in output:',
            '',
            table(
              ['code origin', 'bytes'],
              origins.map(([k, v]) => [k, fmtBytes(v)]),
            ),
            '',
          ]
        : []),
      coldTable(ctx, cold),
    ].join('\n')
    return {
      title: '5a/b. Runtime weight and cold start',
      body,
      data: { sizes: s, cold, origins, addedEsm, addedCjs },
      targets: [
        {
          name: 'runtime weight, one secret import vs one JSON import, minified, all inlined',
          target: `≤ ${fmtBytes(budget)} (ESM; CJS incl. worker file)`,
          figure: `ESM +${fmtBytes(addedEsm)}, CJS +${fmtBytes(addedCjs)}; cold start ${fmtSigned(cold.total)} ms (load ${fmt(cold.load)} + open ${fmt(cold.open)})`,
          met: addedEsm <= budget && addedCjs <= budget,
        },
      ],
    }
  } finally {
    await kms.close()
  }
}
