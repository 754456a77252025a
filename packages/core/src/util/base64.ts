// Standard alphabet (RFC 4648 §4) with mandatory padding; atob tolerates bad padding bits and whitespace, so
// strictness is checked here. atob/btoa (not node:buffer): the open path runs on Node, Bun, Deno and workerd.
// With the length a multiple of 4, this accepts exactly the groups of 4 with `xx==`/`xxx=` last; a plain character
// class runs several times faster than the grouped form on the long `data` fields of every open.
const base64RE = /^[A-Za-z0-9+/]*={0,2}$/
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Standard padded base64 of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  let bin = ''
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(bin)
}

/**
 * The byte length of a text `fromBase64Strict` accepts, or undefined, without decoding it (validation needs only the
 * length, and atob is slow on Node 20: most of the plugin's per-envelope check).
 */
export function strictBase64Length(text: string): number | undefined {
  if (text.length % 4 !== 0 || !base64RE.test(text)) return undefined
  // Past the pattern, the only non-canonical texts set bits that the padding drops (RFC 4648 §3.5).
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0
  if (pad > 0 && (alphabet.indexOf(text[text.length - pad - 1]!) & (pad === 2 ? 0x0f : 0x03)) !== 0) return undefined
  return (text.length / 4) * 3 - pad
}

/**
 * Strict decoding: only the canonical encoding of some byte string is accepted (no whitespace, no missing
 * padding, no non-zero trailing bits), so every accepted text maps to exactly one byte string and back.
 * Returns undefined instead of throwing.
 */
export function fromBase64Strict(text: string): Uint8Array | undefined {
  if (strictBase64Length(text) === undefined) return undefined
  const bin = atob(text)
  const bytes = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
  return bytes
}
