import { readFileSync } from 'node:fs'

const base64 = new Map([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]))

/** Decodes one source-map `mappings` segment (base64 VLQ) into its numbers. */
function decodeSegment(text) {
  const out = []
  let value = 0
  let shift = 0
  for (const ch of text) {
    const digit = base64.get(ch)
    value += (digit & 31) << shift
    if (digit & 32) {
      shift += 5
      continue
    }
    out.push(value & 1 ? -(value >>> 1) : value >>> 1)
    value = 0
    shift = 0
  }
  return out
}

/**
 * Loads a v3 source map and returns `sourceAt(line, column)` (0-based, generated file) → the original source path,
 * so a CPU profile of a bundle can be attributed to the packages bundled into it.
 */
export function loadSourceMap(path) {
  const map = JSON.parse(readFileSync(path, 'utf8'))
  const lines = []
  let src = 0
  for (const lineText of map.mappings.split(';')) {
    const segments = []
    let col = 0
    for (const seg of lineText.split(',')) {
      if (seg === '') continue
      const f = decodeSegment(seg)
      col += f[0]
      if (f.length >= 4) {
        src += f[1]
        segments.push([col, src])
      }
      // f[2], f[3] (source line/column) are not needed, but the deltas must still be read in order: they are.
    }
    lines.push(segments)
  }
  return (line, column) => {
    const segments = lines[line]
    if (!segments?.length) return undefined
    let lo = 0
    let hi = segments.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (segments[mid][0] <= column) lo = mid
      else hi = mid - 1
    }
    return map.sources[segments[lo][1]]
  }
}
