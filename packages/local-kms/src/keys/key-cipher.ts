import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { ApiError } from '../server/api-error.js'
import { decodeBlob, encodeBlob, encodeBlobHeader, gcmIvLength, gcmTagLength, type ParsedBlob } from './blob.js'
import { currentVersion, findVersion, type KeyRecord } from './key-record.js'

/** GCM associated data: the blob header, a 0x00 separator, then the canonical EncryptionContext (may be empty). */
function aadOf(header: Buffer, context: string): Buffer {
  return Buffer.concat([header, Buffer.from([0]), Buffer.from(context, 'utf8')])
}

/** Encrypts under the key's current version; `context` is the canonical EncryptionContext. */
export function encryptWithKey(key: KeyRecord, plaintext: Uint8Array, context: string): string {
  const version = currentVersion(key)
  const header = encodeBlobHeader(key.keyId, version.version)
  const iv = randomBytes(gcmIvLength)
  const material = Buffer.from(version.material, 'base64')
  try {
    const cipher = createCipheriv('aes-256-gcm', material, iv, { authTagLength: gcmTagLength })
    cipher.setAAD(aadOf(header, context))
    const data = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
    return encodeBlob(header, iv, data)
  } finally {
    material.fill(0)
  }
}

export { decodeBlob, type ParsedBlob }

/**
 * Decrypts a parsed blob with the version it names. A wrong context, a tampered byte or an unknown version is
 * `InvalidParameterValue.InvalidCiphertext` (reference §8 suggests that code for a context mismatch).
 */
export function decryptWithKey(key: KeyRecord, blob: ParsedBlob, context: string): Buffer {
  const version = findVersion(key, blob.version)
  if (!version)
    throw new ApiError('InvalidParameterValue.InvalidCiphertext', 'CiphertextBlob is not a valid ciphertext.')
  const material = Buffer.from(version.material, 'base64')
  try {
    const decipher = createDecipheriv('aes-256-gcm', material, blob.iv, { authTagLength: gcmTagLength })
    decipher.setAAD(aadOf(blob.header, context))
    decipher.setAuthTag(blob.data.subarray(blob.data.length - gcmTagLength))
    return Buffer.concat([decipher.update(blob.data.subarray(0, blob.data.length - gcmTagLength)), decipher.final()])
  } catch {
    throw new ApiError(
      'InvalidParameterValue.InvalidCiphertext',
      'CiphertextBlob could not be decrypted: it was altered or the EncryptionContext differs from the one used to encrypt.',
    )
  } finally {
    material.fill(0)
  }
}
