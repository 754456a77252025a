import { Buffer } from 'node:buffer'

export type LeakEncoding =
  | 'raw'
  | 'json-escaped'
  | 'base64'
  | 'base64url'
  | 'hex'
  | 'url-encoded'
  | 'unicode-escaped'
  /** Inside the decoded payload of a `data:` URL (an inlined asset), in any of the other encodings. */
  | 'data-url'

export interface Needle {
  encoding: LeakEncoding
  /** The encoded text as a binary (latin1) string of its UTF-8 bytes, the form the scanner searches. */
  bytes: string
}

/**
 * Base64 characters that depend only on the value's bytes when the value starts `align` bytes into a longer
 * byte string: so the value is found inside the base64 of a bigger blob at any of the 3 alignments.
 */
function base64Middles(value: Buffer): string[] {
  const out: string[] = []
  for (const align of [0, 1, 2]) {
    const full = Buffer.concat([Buffer.alloc(align), value])
      .toString('base64')
      .replace(/=+$/, '')
    const start = Math.ceil((8 * align) / 6)
    const end = Math.floor((8 * (align + value.length)) / 6)
    if (end - start >= 6) out.push(full.slice(start, end))
  }
  return out
}

const hexLower = '0123456789abcdef'
const hexUpper = '0123456789ABCDEF'

function unicodeEscape(value: string, digits: string): string {
  const parts = new Array<string>(value.length)
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    parts[i] = `\\u${digits[c >> 12]}${digits[(c >> 8) & 15]}${digits[(c >> 4) & 15]}${digits[c & 15]}`
  }
  return parts.join('')
}

/** Only `raw` and `json-escaped` can hold non-ASCII text; the others are ASCII, whose UTF-8 bytes are the text. */
const asciiRE = /^\p{ASCII}*$/u

const loneSurrogateRE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** The encodings of one secret value the scanner searches for (deduplicated; `raw` first). */
export function encodeNeedles(value: string): Needle[] {
  const utf8 = Buffer.from(value, 'utf8')
  const middles = base64Middles(utf8)
  const hex = utf8.toString('hex')
  // encodeURI* throw a URIError on a lone surrogate; UTF-8 output would carry U+FFFD in its place, as `utf8` does.
  const wellFormed = value.replace(loneSurrogateRE, '\uFFFD')
  const uri = encodeURIComponent(wellFormed)
  const candidates: [LeakEncoding, string][] = [
    ['raw', value],
    ['json-escaped', JSON.stringify(value).slice(1, -1)],
    ['unicode-escaped', unicodeEscape(value, hexLower)],
    ['unicode-escaped', unicodeEscape(value, hexUpper)],
    ...middles.map((b): [LeakEncoding, string] => ['base64', b]),
    ...middles.map((b): [LeakEncoding, string] => ['base64url', b.replace(/\+/g, '-').replace(/\//g, '_')]),
    ['hex', hex],
    ['hex', hex.toUpperCase()],
    ['url-encoded', uri],
    ['url-encoded', uri.replace(/%20/g, '+')],
    ['url-encoded', encodeURI(wellFormed)],
  ]
  const seen = new Set<string>()
  const out: Needle[] = []
  for (const [encoding, text] of candidates) {
    const bytes = asciiRE.test(text) ? text : Buffer.from(text, 'utf8').toString('latin1')
    if (seen.has(bytes)) continue
    seen.add(bytes)
    out.push({ encoding, bytes })
  }
  return out
}
