import { Buffer } from 'node:buffer'
import { webcrypto } from 'node:crypto'
import { KmsSecretsError } from '@kms-secrets/core/errors'
import { envelopeAad, type SealedEnvelope } from '@kms-secrets/core/open'

/** AES-256 key length and GCM tag length (NIST SP 800-38D), in bytes. */
const keyBytes = 32
const tagBytes = 16

function authError(file: string): KmsSecretsError {
  return new KmsSecretsError('ERR_ENVELOPE_AUTH', `The sealed value in ${file} failed authentication (AES-256-GCM).`, {
    hint: 'The envelope was modified, truncated, moved to another file id, or its data key belongs to another envelope; restore it from git or re-seal it.',
    file,
  })
}

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
