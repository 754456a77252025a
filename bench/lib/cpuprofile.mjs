import { readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { median } from './stats.mjs'

/** Where a profiled frame's code comes from: one of our packages, a dependency, node itself or a V8 pseudo-frame. */
export function bucketOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native / V8 builtins)'
  if (url.startsWith('node:')) return '(node internals)'
  const pnpm = /node_modules\/\.pnpm\/((?:@[^+/]+\+)?[^@/]+)@/.exec(url)
  if (pnpm) return pnpm[1].replace('+', '/')
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)
  if (nm) return nm[1]
  const ours = /\/packages\/([^/]+)\//.exec(url)
  if (ours) return ours[1] === 'unplugin' ? 'unplugin-kms-secrets' : `@kms-secrets/${ours[1]}`
  return '(app / bench code)'
}

/**
 * Self time per frame and per code origin of a V8 .cpuprofile (`node --cpu-prof`). `(idle)` is reported apart:
 * it is time spent waiting (e.g. for a KMS round trip), not CPU. `sourceMaps`: bundle file URL → `sourceAt(line,
 * column)` (lib/sourcemap.mjs), so frames of a bundle are attributed to the packages bundled into it.
 */
export function summarizeProfile(path, top = 10, sourceMaps = new Map(), topBuckets = top) {
  const profile = JSON.parse(readFileSync(path, 'utf8'))
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  // Sample counts × the typical interval, not the raw time deltas: on a loaded machine a descheduled process makes one
  // delta huge, which would be charged to whatever frame happened to be on the stack.
  const interval = median(profile.timeDeltas.filter((d) => d > 0)) || 1000
  const self = new Map()
  for (const id of profile.samples) self.set(id, (self.get(id) ?? 0) + interval)
  const frames = new Map()
  const buckets = new Map()
  let total = 0
  let idle = 0
  for (const [id, micros] of self) {
    const { functionName, url: rawUrl, lineNumber, columnNumber } = byId.get(id).callFrame
    const mapped = sourceMaps.get(rawUrl)?.(lineNumber, columnNumber)
    const url = mapped ?? rawUrl
    const name = functionName || '(anonymous)'
    if (name === '(idle)') {
      idle += micros
      continue
    }
    total += micros
    const key = url ? `${name} (${basename(url)}${mapped ? '' : `:${lineNumber + 1}`})` : name
    // A bundle frame the source map does not cover is bundler glue (esbuild's __commonJS/__require wrappers, whose
    // self time includes compiling the bundled CommonJS modules they initialise).
    const unmapped = sourceMaps.has(rawUrl) && mapped === undefined
    const bucket = unmapped ? '(bundler glue, unmapped)' : bucketOf(url, name)
    const frame = frames.get(key) ?? { frame: key, bucket, micros: 0 }
    frame.micros += micros
    frames.set(key, frame)
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + micros)
  }
  const pct = (m) => (total ? (100 * m) / total : 0)
  return {
    cpuMs: total / 1000,
    idleMs: idle / 1000,
    frames: [...frames.values()]
      .sort((a, b) => b.micros - a.micros)
      .slice(0, top)
      .map((f) => ({ frame: f.frame, bucket: f.bucket, ms: f.micros / 1000, pct: pct(f.micros) })),
    buckets: [...buckets.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topBuckets)
      .map(([bucket, m]) => ({ bucket, ms: m / 1000, pct: pct(m) })),
  }
}

/** The newest .cpuprofile written into `dir`. */
export function latestProfile(dir) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))
  if (files.length === 0) return undefined
  return join(dir, files.sort().at(-1))
}

/** Markdown for a profile summary: top frames by self time, then CPU by code origin. */
export function renderProfile(title, summary) {
  const rows = summary.frames.map(
    (f) => `| ${f.frame.replaceAll('|', '\\|')} | ${f.bucket} | ${f.ms.toFixed(1)} | ${f.pct.toFixed(1)} % |`,
  )
  const origin = summary.buckets
    .slice(0, 12)
    .map((b) => `${b.bucket} ${b.pct.toFixed(0)} %`)
    .join(' · ')
  return [
    `<details><summary>${title}: ${summary.cpuMs.toFixed(0)} ms CPU, ${summary.idleMs.toFixed(0)} ms idle — top frames</summary>`,
    '',
    '| frame (self time) | code | ms | share |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    `CPU by code origin: ${origin}`,
    '',
    '</details>',
  ].join('\n')
}
