/**
 * Benchmark 5a/b — runtime weight: bytes the runtime adds to a minified node bundle (esbuild, one secret import) and
 * the cold-start time it adds, split into loading the runtime + SDK and opening the secret (one Decrypt + AES-GCM).
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { buildWithEsbuild, writeEntry, writeSecretFiles } from './lib/app.mjs'
import { runNode } from './lib/child.mjs'
import { bucketOf } from './lib/cpuprofile.mjs'
import { keyIds, kmsEnv, spawnLocalKms } from './lib/kms.mjs'
import { fmt, fmtBytes, fmtSigned, median, table } from './lib/stats.mjs'

const runtimeEntry = new URL(import.meta.resolve('@kms-secrets/runtime')).pathname

/** The plain app plus an import of the runtime that is kept (so it loads) but never called. */
function writeRuntimeOnlyEntry(dir, files) {
  const plain = readFileSync(join(dir, writeEntry(dir, files, 'plain-entry.mjs')), 'utf8')
  const text = `import * as kmsRuntime from ${JSON.stringify(runtimeEntry)}\nglobalThis.__kmsRuntime = kmsRuntime\n${plain}`
  writeFileSync(join(dir, 'runtime-only.mjs'), text)
  return 'runtime-only.mjs'
}

async function buildAll(ctx, kms) {
  const dir = join(ctx.work, 'weight')
  const files = writeSecretFiles(dir, 1)
  const entry = writeEntry(dir, files)
  const runtimeOnly = writeRuntimeOnlyEntry(dir, files)
  const out = (name) => join(dir, 'out', `${name}.min.mjs`)
  const plugin = { keyId: keyIds.weight, endpoint: kms.endpoint }
  await buildWithEsbuild(dir, entry, out('plain'), { minify: true })
  await buildWithEsbuild(dir, runtimeOnly, out('runtime-only'), { minify: true })
  const meta = await buildWithEsbuild(dir, entry, out('sealed'), { minify: true, plugin })
  // The shipped runtime dist bundles the SDK into one chunk; built from our packages' sources (the `source` export
  // condition) the SDK and its dependencies stay separate inputs: attributable, and removable to weigh the runtime.
  const srcMeta = await buildWithEsbuild(dir, entry, out('sealed-src'), {
    minify: true,
    plugin,
    conditions: ['source'],
  })
  await buildWithEsbuild(dir, entry, out('sealed-no-sdk'), {
    minify: true,
    plugin,
    conditions: ['source'],
    external: ['tencentcloud-sdk-nodejs-common'],
  })
  return { dir, out, meta, srcMeta }
}

function sizes(file) {
  const bytes = statSync(file).size
  return { bytes, gzip: gzipSync(readFileSync(file), { level: 9 }).length }
}

/** Bytes of the sealed bundle by code origin, from esbuild's metafile: the 7 largest, then the rest summed. */
function breakdown(meta) {
  const output = Object.values(meta.outputs).find((o) => o.entryPoint)
  const by = new Map()
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const bucket = bucketOf(path.replace(/^(\.\.\/)+/, '/'), '')
    by.set(bucket, (by.get(bucket) ?? 0) + bytesInOutput)
  }
  const sorted = [...by.entries()].sort((a, b) => b[1] - a[1])
  const rest = sorted.slice(7)
  const restBytes = rest.reduce((a, [, b]) => a + b, 0)
  return [...sorted.slice(0, 7), ...(rest.length ? [[`${rest.length} other packages`, restBytes]] : [])]
}

async function coldStarts(ctx, b, env) {
  const t = { plain: [], 'runtime-only': [], sealed: [] }
  for (let r = 0; r < ctx.runs; r++) {
    for (const k of Object.keys(t)) {
      const { json } = await runNode(b.out(k), { env })
      if (!json?.ok) throw new Error(`${k} bundle printed no well-formed value`)
      t[k].push(json.t)
    }
  }
  const diff = (a, z) => median(t[a].map((v, i) => v - t[z][i]))
  return {
    plain: median(t.plain),
    runtimeOnly: median(t['runtime-only']),
    sealed: median(t.sealed),
    load: diff('runtime-only', 'plain'),
    open: diff('sealed', 'runtime-only'),
    total: diff('sealed', 'plain'),
  }
}

function sizeTable(s) {
  const added = (k) => `+${fmtBytes(s[k].bytes - s.plain.bytes)} (+${fmtBytes(s[k].gzip - s.plain.gzip)} gzip)`
  const row = (label, k) => [label, fmtBytes(s[k].bytes), fmtBytes(s[k].gzip), k === 'plain' ? '—' : added(k)]
  return table(
    ['bundle', 'bytes', 'gzip -9', 'added vs plain JSON'],
    [
      row('plain JSON, plugin off', 'plain'),
      row('sealed, runtime as shipped (its dist bundles the SDK transport)', 'sealed'),
      row('sealed, built from our sources (same code, SDK as its own packages)', 'sealed-src'),
      row('same, SDK left external: the runtime itself (not runnable alone)', 'sealed-no-sdk'),
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
        ['plain JSON', fmt(cold.plain), '—'],
        [
          'plain JSON + runtime module loaded, not called',
          fmt(cold.runtimeOnly),
          `${fmtSigned(cold.load)} ms (loading runtime + SDK)`,
        ],
        [
          'sealed secret',
          fmt(cold.sealed),
          `${fmtSigned(cold.open)} ms (Decrypt + AES-GCM) → ${fmtSigned(cold.total)} ms total`,
        ],
      ],
    ),
  ].join('\n')
}

export async function run(ctx) {
  const kms = await spawnLocalKms(ctx.dataDir)
  try {
    const b = await buildAll(ctx, kms)
    const kinds = ['plain', 'runtime-only', 'sealed', 'sealed-src', 'sealed-no-sdk']
    const s = Object.fromEntries(kinds.map((k) => [k, sizes(b.out(k))]))
    const cold = await coldStarts(ctx, b, kmsEnv(kms.endpoint, ctx.ids.runtime))
    const origins = breakdown(b.srcMeta)
    const sdkBytes = s['sealed-src'].bytes - s['sealed-no-sdk'].bytes
    const body = [
      'One secret import, esbuild `--minify`, ESM, node20, everything bundled into one file.',
      '',
      sizeTable(s),
      '',
      "No lean transport exists: the runtime's only KMS client is core's Tencent provider on `tencentcloud-sdk-nodejs-common`",
      '(CommonClient). The last row is what the runtime itself weighs, i.e. what a lean transport would add to.',
      '',
      'Sealed bundle (built from sources) by code origin, esbuild metafile, bytes in output:',
      '',
      table(
        ['code origin', 'bytes'],
        origins.map(([k, v]) => [k, fmtBytes(v)]),
      ),
      '',
      coldTable(ctx, cold),
    ].join('\n')
    return {
      title: '5a/b. Runtime weight and cold start',
      body,
      data: { sizes: s, cold, origins, sdkBytes },
      targets: [
        {
          name: 'runtime weight (informational)',
          target: 'bytes and cold start added',
          figure: `+${fmtBytes(s.sealed.bytes - s.plain.bytes)} minified, of which SDK transport ${fmtBytes(sdkBytes)}; cold start ${fmtSigned(cold.total)} ms (load ${fmt(cold.load)} + open ${fmt(cold.open)})`,
          met: undefined,
        },
      ],
    }
  } finally {
    await kms.close()
  }
}
