import { Buffer } from 'node:buffer'

// Standard alphabet (RFC 4648 §4) with mandatory padding; Node's decoder silently skips bad characters,
// so strictness is checked here before decoding.
const base64RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** Standard padded base64 of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

/**
 * Strict decoding: only the canonical encoding of some byte string is accepted (no whitespace, no missing
 * padding, no non-zero trailing bits), so every accepted text maps to exactly one byte string and back.
 * Returns undefined instead of throwing.
 */
export function fromBase64Strict(text: string): Uint8Array | undefined {
  if (!base64RE.test(text)) return undefined
  const bytes = Buffer.from(text, 'base64')
  if (bytes.toString('base64') !== text) return undefined
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
