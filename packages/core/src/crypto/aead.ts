import { Buffer } from 'node:buffer'
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { KmsSecretsError } from '../errors.js'

/** NIST SP 800-38D: 96-bit IVs, 128-bit tags; AES-256 keys are 32 bytes. */
export const ivLength = 12
export const tagLength = 16
export const keyLength = 32

export interface AeadCiphertext {
  iv: Uint8Array
  data: Uint8Array
  tag: Uint8Array
}

/** Overwrites a buffer with zeros (plaintext data keys, decrypted bytes) as soon as it is no longer needed. */
export function zero(buf: Uint8Array | undefined | null): void {
  buf?.fill(0)
}

function checkKey(key: Uint8Array): void {
  /* Precondition: the data key is 32 bytes (AES-256). */
  if (key.length !== keyLength) {
    throw new KmsSecretsError('ERR_INTERNAL', `AES-256-GCM needs a ${keyLength}-byte key.`, {
      hint: 'This is a bug in kms-secrets; please report it.',
    })
  }
}

/**
 * AES-256-GCM encryption with a fresh random 12-byte IV (or `iv`, for reproducible test vectors only).
 * Never reuse an IV with the same key.
 */
export function aesGcmSeal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, iv?: Uint8Array): AeadCiphertext {
  checkKey(key)
  const nonce = iv ?? new Uint8Array(randomBytes(ivLength))
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: tagLength })
  cipher.setAAD(aad)
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return { iv: nonce, data: new Uint8Array(data), tag: new Uint8Array(cipher.getAuthTag()) }
}

/** ERR_ENVELOPE_AUTH for a value that failed AES-GCM authentication (naming the file when known). */
export function authError(file?: string): KmsSecretsError {
  const where = file === undefined ? '' : ` in ${file}`
  return new KmsSecretsError('ERR_ENVELOPE_AUTH', `The sealed value${where} failed authentication (AES-256-GCM).`, {
    hint: 'The envelope was modified, truncated, moved to another file id, or its data key belongs to another envelope; restore it from git or re-seal it.',
    file,
  })
}

/**
 * AES-256-GCM decryption. Any failure to authenticate (wrong key, IV, tag, data or AAD; wrong key or tag
 * length) → ERR_ENVELOPE_AUTH. Returns the plaintext; the caller zeroes it when done.
 */
export function aesGcmOpen(key: Uint8Array, sealed: AeadCiphertext, aad: Uint8Array, file?: string): Uint8Array {
  if (key.length !== keyLength || sealed.iv.length !== ivLength || sealed.tag.length !== tagLength)
    throw authError(file)
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: tagLength })
  decipher.setAAD(aad)
  decipher.setAuthTag(sealed.tag)
  const head = decipher.update(sealed.data)
  try {
    const tail = decipher.final()
    const out = new Uint8Array(head.length + tail.length)
    out.set(head, 0)
    out.set(tail, head.length)
    return out
  } catch {
    throw authError(file)
  } finally {
    head.fill(0)
  }
}
