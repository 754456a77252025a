import { Buffer } from 'node:buffer'
import { dataUrlPayloads } from './data-url.js'
import { encodeNeedles, type LeakEncoding, type Needle } from './encodings.js'
import { collectLeaves, type Leaf } from './leaves.js'

export interface LeakHit {
  /** The searched asset (output file name). */
  asset: string
  /** The secret file whose value was found. */
  file: string
  /** JSON path of the leaked leaf. Never the value. */
  path: string
  encoding: LeakEncoding
}

export interface LeakScanner {
  /** Every (secret leaf, encoding) found in `content`, at most once each. */
  scan(content: string | Uint8Array, asset: string): LeakHit[]
  /** Number of encoded needles searched for. */
  readonly size: number
}

interface Entry extends Needle {
  file: string
  path: string
}

/** Window of the rolling hash: the shortest needle bounds it (needles are ≥ 6 bytes with the default minLength). */
const maxWindow = 8
const base = 257

function hashOf(s: string, from: number, len: number): number {
  let h = 0
  for (let i = 0; i < len; i++) h = (Math.imul(h, base) + s.charCodeAt(from + i)) | 0
  return h
}

function buildIndex(entries: Entry[], window: number): Map<number, Entry[]> {
  const index = new Map<number, Entry[]>()
  for (const e of entries) {
    const h = hashOf(e.bytes, 0, window)
    const list = index.get(h)
    if (list) list.push(e)
    else index.set(h, [e])
  }
  return index
}

/** A secret to search for: its value's leaves (`collectLeaves`), or the given leaves (e.g. a whole file's text). */
export interface ScannedSecret {
  file: string
  value?: unknown
  leaves?: readonly Leaf[]
}

/** Inlined assets nest (a data URL in a source map inlined as a data URL): how deep payloads are decoded. */
const maxDataUrlDepth = 3

/**
 * A scanner for build outputs: searches every leaf of the given secrets (see `collectLeaves`) in every encoding of
 * `encodeNeedles` with one Rabin–Karp pass per asset (linear in the asset size, whatever the number of secrets), and
 * again inside the decoded payload of every `data:` URL (hits there have the encoding `data-url`).
 */
export function createLeakScanner(secrets: ScannedSecret[], minLength = 6): LeakScanner {
  const entries: Entry[] = []
  let window = maxWindow
  for (const s of secrets) {
    for (const leaf of s.leaves ?? collectLeaves(s.value, minLength)) {
      for (const n of encodeNeedles(leaf.value)) {
        entries.push({ encoding: n.encoding, bytes: n.bytes, file: s.file, path: leaf.path })
        if (n.bytes.length < window) window = n.bytes.length
      }
    }
  }
  const index = buildIndex(entries, window)
  let power = 1
  for (let i = 0; i < window - 1; i++) power = Math.imul(power, base)

  /** One Rabin–Karp pass over `text` (latin1 of the bytes), adding hits to `found`. */
  function search(text: string, asset: string, found: Map<string, LeakHit>, encoding?: LeakEncoding): void {
    if (text.length < window) return
    let h = hashOf(text, 0, window)
    for (let i = 0; ; i++) {
      const list = index.get(h)
      if (list) {
        for (const e of list) {
          const key = `${e.file}\0${e.path}\0${encoding ?? e.encoding}`
          if (!found.has(key) && text.startsWith(e.bytes, i)) {
            found.set(key, { asset, file: e.file, path: e.path, encoding: encoding ?? e.encoding })
          }
        }
      }
      if (i + window >= text.length) break
      h = (Math.imul(h - Math.imul(text.charCodeAt(i), power), base) + text.charCodeAt(i + window)) | 0
    }
  }

  /** `text` and, recursively, the decoded payload of each data URL in it. */
  function searchWithDataUrls(text: string, asset: string, found: Map<string, LeakHit>, depth: number): void {
    search(text, asset, found, depth > 0 ? 'data-url' : undefined)
    if (depth >= maxDataUrlDepth) return
    for (const payload of dataUrlPayloads(text)) searchWithDataUrls(payload.toString('latin1'), asset, found, depth + 1)
  }

  return {
    size: entries.length,
    scan(content, asset) {
      if (entries.length === 0) return []
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content)
      const found = new Map<string, LeakHit>()
      searchWithDataUrls(bytes.toString('latin1'), asset, found, 0)
      return [...found.values()]
    },
  }
}
