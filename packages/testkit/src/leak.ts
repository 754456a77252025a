import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

/**
 * An independent leak check (it shares no code with core's scanner, so a bug there cannot hide a leak here):
 * every encoding a plaintext value could take on its way into a bundle, a source map or a cache file.
 */
export type Encoding =
  | 'raw'
  | 'json-escaped'
  | 'ascii-escaped'
  | 'unicode-escaped'
  | 'base64'
  | 'base64url'
  | 'hex'
  | 'HEX'
  | 'url-encoded'
  | 'utf16le'

export interface LeakHit {
  /** Path of the file relative to the scanned dir. */
  file: string
  /** Index of the canary in the list given to the scanner (never the value, so a failing test prints no secret). */
  canary: number
  encoding: Encoding
}

function unicodeEscape(s: string, all: boolean): string {
  let out = ''
  for (const ch of s) {
    const code = ch.codePointAt(0)!
    if (!all && code < 0x7f) out += ch
    else if (code > 0xffff) out += JSON.stringify(ch).slice(1, -1)
    else out += `\\u${code.toString(16).padStart(4, '0')}`
  }
  return out
}

/** Base64 of `bytes` at each of the three possible byte alignments inside a larger encoded string. */
function base64Forms(bytes: Buffer, url: boolean): string[] {
  const forms: string[] = []
  for (let k = 0; k < 3; k++) {
    const part = bytes.subarray(k, k + Math.floor((bytes.length - k) / 3) * 3)
    if (part.length >= 6) forms.push(part.toString(url ? 'base64url' : 'base64'))
  }
  return forms
}

function needlesFor(value: string): [Encoding, Buffer][] {
  const utf8 = Buffer.from(value, 'utf8')
  const text: [Encoding, string][] = [
    ['raw', value],
    ['json-escaped', JSON.stringify(value).slice(1, -1)],
    ['ascii-escaped', unicodeEscape(JSON.stringify(value).slice(1, -1), false)],
    ['unicode-escaped', unicodeEscape(value, true)],
    ['hex', utf8.toString('hex')],
    ['HEX', utf8.toString('hex').toUpperCase()],
    ['url-encoded', encodeURIComponent(value)],
    ...base64Forms(utf8, false).map((s): [Encoding, string] => ['base64', s]),
    ...base64Forms(utf8, true).map((s): [Encoding, string] => ['base64url', s]),
  ]
  const needles: [Encoding, Buffer][] = text.map(([e, s]) => [e, Buffer.from(s, 'utf8')])
  needles.push(['utf16le', Buffer.from(value, 'utf16le')])
  return needles
}

/** Every regular file under `dir` (symlinks are not followed). */
export function walkFiles(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...walkFiles(path))
    else if (entry.isFile()) out.push(path)
  }
  return out
}

const dataUrlRE = /data:[^,"'`\s)<>]*,[^"'`\s)<>\\]*/gi

/**
 * The decoded payload of every `data:` URL in `content` (base64 or percent-encoded, any media type), nested ones
 * too: an inlined asset hides a value from a search of the raw bytes.
 */
export function dataUrlPayloads(content: Buffer, depth = 0): Buffer[] {
  const text = content.toString('latin1')
  if (depth > 3 || !/data:/i.test(text)) return []
  const out: Buffer[] = []
  for (const [url] of text.matchAll(dataUrlRE)) {
    const comma = url.indexOf(',')
    const meta = url.slice(5, comma)
    const data = url.slice(comma + 1)
    let payload: Buffer
    if (/;base64$/i.test(meta)) payload = Buffer.from(data.replace(/%3D/gi, '='), 'base64')
    else
      payload = Buffer.from(
        data.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
        'latin1',
      )
    out.push(payload, ...dataUrlPayloads(payload, depth + 1))
  }
  return out
}

/** Searches every file under each dir (binary-safe), and every data: URL in it decoded, for every canary. */
export function scanForCanaries(
  dirs: string[],
  canaries: readonly string[],
): { files: number; bytes: number; hits: LeakHit[] } {
  const needles = canaries.map(needlesFor)
  const hits: LeakHit[] = []
  let files = 0
  let bytes = 0
  for (const dir of dirs) {
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue
    for (const path of walkFiles(dir)) {
      const content = readFileSync(path)
      files++
      bytes += content.length
      for (const [i, part] of [content, ...dataUrlPayloads(content)].entries()) {
        const file = i === 0 ? relative(dir, path) : `${relative(dir, path)} (data: URL)`
        needles.forEach((forms, canary) => {
          for (const [encoding, needle] of forms) {
            if (part.includes(needle)) hits.push({ file, canary, encoding })
          }
        })
      }
    }
  }
  return { files, bytes, hits }
}

/** Searches one in-memory text (an HTTP response body, a log) for the canaries. */
export function textHasCanary(text: string, canaries: readonly string[]): LeakHit[] {
  const content = Buffer.from(text, 'utf8')
  const hits: LeakHit[] = []
  canaries.forEach((value, canary) => {
    for (const [encoding, needle] of needlesFor(value)) {
      if (content.includes(needle)) hits.push({ file: '<text>', canary, encoding })
    }
  })
  return hits
}

/** A plaintext marker that cannot occur by chance: `CANARY` + 16 random letters/digits (unique per call). */
export function newCanary(tag = ''): string {
  return `CANARY${tag}${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`
}

/** Every `size`-character window of `value` (error messages may quote a cut piece of the input). */
export function windows(value: string, size: number): string[] {
  const out: string[] = []
  for (let i = 0; i + size <= value.length; i++) out.push(value.slice(i, i + size))
  return out
}

/** The first window of `secret` (≥ `size` chars) found in `text`, or undefined. Returns its offset, not its text. */
export function leakedWindow(text: string, secret: string, size: number): number | undefined {
  const list = windows(secret, Math.min(size, secret.length))
  const i = list.findIndex((w) => text.includes(w))
  return i < 0 ? undefined : i
}
