import { randomBytes } from 'node:crypto'

/** A plaintext marker that cannot occur by chance: `CANARY` + 16 random letters/digits (unique per call). */
export function newCanary(tag = ''): string {
  return `CANARY${tag}${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`
}

/** Every form a plaintext value could take in text: raw, JSON-escaped, base64 (3 alignments), hex, URL-encoded. */
export function encodingsOf(value: string): [string, string][] {
  const bytes = Buffer.from(value, 'utf8')
  const forms: [string, string][] = [
    ['raw', value],
    ['json-escaped', JSON.stringify(value).slice(1, -1)],
    ['hex', bytes.toString('hex')],
    ['HEX', bytes.toString('hex').toUpperCase()],
    ['url-encoded', encodeURIComponent(value)],
  ]
  for (let k = 0; k < 3; k++) {
    const part = bytes.subarray(k, k + Math.floor((bytes.length - k) / 3) * 3)
    if (part.length >= 6) {
      forms.push(['base64', part.toString('base64')], ['base64url', part.toString('base64url')])
    }
  }
  return forms
}

/** Which canaries (by index, never the value) appear in `text`, and in which encoding. */
export function findCanaries(text: string, canaries: readonly string[]): { canary: number; encoding: string }[] {
  const hits: { canary: number; encoding: string }[] = []
  canaries.forEach((c, i) => {
    for (const [encoding, form] of encodingsOf(c)) if (text.includes(form)) hits.push({ canary: i, encoding })
  })
  return hits
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
