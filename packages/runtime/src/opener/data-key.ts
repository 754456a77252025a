import { Buffer } from 'node:buffer'
import { webcrypto } from 'node:crypto'
import {
  authError,
  envelopeAad,
  keyLength as keyBytes,
  type SealedEnvelope,
  tagLength as tagBytes,
} from '@kms-secrets/core/open'

/**
 * Turns the plaintext data key from KMS Decrypt into a NON-extractable WebCrypto key and zeroes the raw bytes at
 * once. WebCrypto copies keyData synchronously when importKey is called (W3C WebCrypto, importKey step 2), so the
 * buffer can be wiped before the promise settles. A blob that does not unwrap to 32 bytes is not one of our data
 * keys (e.g. a direct blob moved into a sealed envelope): null, and every envelope using it fails authentication.
 */
export async function importDataKey(raw: Uint8Array): Promise<webcrypto.CryptoKey | null> {
  try {
    if (raw.length !== keyBytes) return null
    const pending = webcrypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['decrypt'])
    raw.fill(0)
    return await pending
  } finally {
    raw.fill(0)
  }
}

function bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'))
}

/** AES-256-GCM open with the envelope's AAD; any failure → ERR_ENVELOPE_AUTH. The caller zeroes the result. */
export async function openSealed(
  key: webcrypto.CryptoKey | null,
  env: SealedEnvelope,
  file: string,
): Promise<Uint8Array> {
  const iv = bytes(env.iv)
  const data = bytes(env.data)
  const tag = bytes(env.tag)
  if (key === null || iv.length !== 12 || tag.length !== tagBytes) throw authError(file)
  // WebCrypto takes ciphertext‖tag as one buffer.
  const sealed = new Uint8Array(data.length + tag.length)
  sealed.set(data, 0)
  sealed.set(tag, data.length)
  try {
    const params = { name: 'AES-GCM', iv, additionalData: envelopeAad(env), tagLength: tagBytes * 8 }
    return new Uint8Array(await webcrypto.subtle.decrypt(params, key, sealed))
  } catch {
    throw authError(file)
  }
}
