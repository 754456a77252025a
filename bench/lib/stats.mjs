/** Small statistics and formatting helpers shared by the benchmarks. */

export function median(values) {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (xs.length === 0) return Number.NaN
  const mid = Math.floor(xs.length / 2)
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2
}

/** Nearest-rank percentile (p in 0..100) of an unsorted array. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN
  const xs = Float64Array.from(values).sort()
  const rank = Math.min(xs.length, Math.max(1, Math.ceil((p / 100) * xs.length)))
  return xs[rank - 1]
}

export function sum(values) {
  return values.reduce((a, b) => a + b, 0)
}

/** Fixed decimals, or "—" for a missing value. */
export function fmt(value, digits = 1) {
  if (value === undefined || value === null || !Number.isFinite(value)) return '—'
  return value.toFixed(digits)
}

/** "+1.2" / "−1.2": a difference, signed. */
export function fmtSigned(value, digits = 1) {
  if (!Number.isFinite(value)) return '—'
  return `${value < 0 ? '−' : '+'}${Math.abs(value).toFixed(digits)}`
}

export function fmtRatio(value) {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '—'
}

export function fmtInt(value) {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—'
}

export function fmtBytes(bytes) {
  if (!Number.isFinite(bytes)) return '—'
  if (Math.abs(bytes) < 1024) return `${bytes} B`
  return `${(bytes / 1024).toFixed(1)} KiB`
}

/** "✅ met" / "❌ missed" for a target check. */
export function verdict(ok) {
  return ok ? '✅ met' : '❌ missed'
}

/** A markdown table from a header row and rows of cells. */
export function table(header, rows) {
  const line = (cells) => `| ${cells.map((c) => String(c).replaceAll('|', '\\|')).join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}
