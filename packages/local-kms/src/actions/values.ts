import type { KeyRecord } from '../keys/key-record.js'
import { ApiError, assertApi } from '../server/api-error.js'
import { aliasRE } from '../storage/key-file.js'

/** A KeyId as sent by a client: an id, `alias/<name>` or a bare alias. */
const keyRefRE = /^(?:alias\/)?[A-Za-z0-9_-]{1,128}$/
const base64RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
export const maxPlaintextBytes = 4096
export const maxContextChars = 1024

export function checkKeyRef(value: string, field = 'KeyId'): string {
  assertApi(keyRefRE.test(value), 'InvalidParameterValue.InvalidKeyId', `${field} is not a valid KeyId.`)
  return value
}

/** CreateKey/UpdateAlias rule: 1–60 of letters, digits, `-`, `_`, starting with a letter or digit; `kms-` is reserved. */
export function checkAlias(value: string): string {
  assertApi(
    aliasRE.test(value) && !value.toLowerCase().startsWith('kms-'),
    'InvalidParameterValue.InvalidAlias',
    'Alias must be 1-60 letters, digits, "-" or "_", start with a letter or digit and not start with "kms-".',
  )
  return value
}

export function checkDescription(value: string | undefined): string {
  if (value === undefined) return ''
  assertApi(Buffer.byteLength(value) <= 1024, 'InvalidParameterValue', 'Description must be at most 1024 bytes.')
  return value
}

/**
 * EncryptionContext → the canonical string bound as GCM associated data: JSON object of string values with sorted
 * keys; absent, empty and `{}` are all "no context". Compared semantically, so key order does not matter.
 */
export function canonicalContext(value: string | undefined, field = 'EncryptionContext'): string {
  if (value === undefined || value === '') return ''
  assertApi(value.length <= maxContextChars, 'InvalidParameterValue', `${field} must be at most 1024 characters.`)
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    throw new ApiError('InvalidParameter', `${field} must be a JSON object of string values.`)
  }
  const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
  const entries = isObject ? Object.entries(parsed as Record<string, unknown>) : []
  if (!isObject || entries.some(([, v]) => typeof v !== 'string')) {
    throw new ApiError('InvalidParameter', `${field} must be a JSON object of string values.`)
  }
  if (entries.length === 0) return ''
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return JSON.stringify(Object.fromEntries(entries))
}

/** Plaintext: standard base64 of 1–4096 bytes, else InvalidParameterValue.InvalidPlaintext. */
export function decodePlaintext(value: string): Buffer {
  const ok = base64RE.test(value) && value.length > 0 && value.length <= Math.ceil(maxPlaintextBytes / 3) * 4
  const bytes = ok ? Buffer.from(value, 'base64') : Buffer.alloc(0)
  assertApi(
    ok && bytes.length > 0 && bytes.length <= maxPlaintextBytes,
    'InvalidParameterValue.InvalidPlaintext',
    'Plaintext must be standard base64 of 1 to 4096 bytes.',
  )
  return bytes
}

/** Crypto use needs an Enabled key (reference §8; PendingDelete is our choice of CmkStateNotSupport). */
export function assertUsable(key: KeyRecord): void {
  assertApi(key.keyState !== 'Disabled', 'ResourceUnavailable.CmkDisabled', 'The key is disabled.')
  assertApi(key.keyState === 'Enabled', 'ResourceUnavailable.CmkStateNotSupport', 'The key is pending deletion.')
}

export function assertNotPendingDelete(key: KeyRecord): void {
  assertApi(key.keyState !== 'PendingDelete', 'ResourceUnavailable.CmkStateNotSupport', 'The key is pending deletion.')
}

/** An integer within bounds, else `code`. */
export function checkRange(value: number, min: number, max: number, code: string, field: string): number {
  assertApi(value >= min && value <= max, code, `${field} must be between ${min} and ${max}.`)
  return value
}

/** Present-but-unsupported features are refused rather than silently ignored. */
export function refuseUnsupported(value: unknown, field: string): void {
  const present = value !== undefined && value !== '' && value !== 0
  assertApi(!present, 'UnsupportedOperation', `local-kms does not support the parameter ${field}.`)
}

/**
 * Encrypt/Decrypt/GenerateDataKey/ReEncrypt need an ENCRYPT_DECRYPT key. Tencent lists
 * InvalidParameterValue.InvalidKeyUsage for GenerateDataKey (SDK error lists); local-kms uses it for all four.
 */
export function assertSymmetric(key: KeyRecord): void {
  assertApi(
    key.keyUsage === 'ENCRYPT_DECRYPT',
    'InvalidParameterValue.InvalidKeyUsage',
    'The key is asymmetric: use GetPublicKey and the matching Asymmetric*Decrypt action.',
  )
}

/** The asymmetric actions need an Enabled key of one usage; any other state is CmkStateNotSupport (their documented code). */
export function assertAsymmetricUsable(
  key: KeyRecord,
  usage: KeyRecord['keyUsage'],
): NonNullable<KeyRecord['keyPair']> {
  assertApi(
    key.keyUsage === usage && key.keyPair,
    'InvalidParameterValue.InvalidKeyUsage',
    `The key's KeyUsage is not ${usage}.`,
  )
  assertApi(key.keyState === 'Enabled', 'ResourceUnavailable.CmkStateNotSupport', 'The key is not Enabled.')
  return key.keyPair
}

/** An asymmetric Ciphertext: standard base64 of 1 to `maxBytes` bytes, else InvalidParameter. */
export function decodeCiphertext(value: string, maxBytes: number): Buffer {
  const ok = base64RE.test(value) && value.length > 0 && value.length <= Math.ceil(maxBytes / 3) * 4
  const bytes = ok ? Buffer.from(value, 'base64') : Buffer.alloc(0)
  assertApi(
    bytes.length > 0 && bytes.length <= maxBytes,
    'InvalidParameter',
    `Ciphertext must be standard base64 of 1 to ${maxBytes} bytes.`,
  )
  return bytes
}

/** Asymmetric keys have one key pair and never rotate (RotateKey's documented UnsupportedOperation.RotateNotSupported). */
export function assertRotatable(key: KeyRecord): void {
  assertApi(
    key.keyUsage === 'ENCRYPT_DECRYPT',
    'UnsupportedOperation.RotateNotSupported',
    'Asymmetric keys do not rotate: create a new key instead.',
  )
}
