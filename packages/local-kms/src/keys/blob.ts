import { ApiError } from '../server/api-error.js'
import { keyIdRE } from '../storage/key-file.js'

/**
 * CiphertextBlob of local-kms, in the `a-k-b-k-c` shape Tencent's own blobs show (reference §9): three standard base64
 * segments joined by `-k-`, so the whole string is never valid base64 and clients must treat it as opaque.
 *   a = header: "LK" | format 0x01 | key version (uint32 BE) | keyId length (uint8) | keyId (ASCII)
 *   b = 12-byte AES-GCM IV
 *   c = ciphertext || 16-byte GCM tag
 * The header is part of the GCM associated data, so key id and version cannot be swapped.
 */
export interface ParsedBlob {
  header: Buffer
  keyId: string
  version: number
  iv: Buffer
  data: Buffer
}

const magic = Buffer.from('LK', 'ascii')
const formatVersion = 1
const separator = '-k-'
const maxBlobChars = 8192
const ivLength = 12
const tagLength = 16
const base64RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

export function encodeBlobHeader(keyId: string, version: number): Buffer {
  const id = Buffer.from(keyId, 'ascii')
  const fixed = Buffer.alloc(8)
  magic.copy(fixed, 0)
  fixed.writeUInt8(formatVersion, 2)
  fixed.writeUInt32BE(version, 3)
  fixed.writeUInt8(id.length, 7)
  return Buffer.concat([fixed, id])
}

export function encodeBlob(header: Buffer, iv: Buffer, data: Buffer): string {
  return [header, iv, data].map((b) => b.toString('base64')).join(separator)
}

function invalid(): ApiError {
  return new ApiError('InvalidParameterValue.InvalidCiphertext', 'CiphertextBlob is not a valid ciphertext.')
}

function strictBase64(segment: string): Buffer {
  if (segment === '' || !base64RE.test(segment)) throw invalid()
  return Buffer.from(segment, 'base64')
}

/** Parses a blob; anything malformed is `InvalidParameterValue.InvalidCiphertext`. */
export function decodeBlob(text: string): ParsedBlob {
  if (text.length > maxBlobChars) throw invalid()
  const parts = text.split(separator)
  if (parts.length !== 3) throw invalid()
  const [header, iv, data] = parts.map(strictBase64) as [Buffer, Buffer, Buffer]
  if (header.length < 9 || !header.subarray(0, 2).equals(magic) || header.readUInt8(2) !== formatVersion) {
    throw invalid()
  }
  const idLength = header.readUInt8(7)
  const keyId = header.subarray(8).toString('ascii')
  if (header.length !== 8 + idLength || !keyIdRE.test(keyId)) throw invalid()
  if (iv.length !== ivLength || data.length < tagLength) throw invalid()
  return { header, keyId, version: header.readUInt32BE(3), iv, data }
}

export const gcmTagLength = tagLength
export const gcmIvLength = ivLength
