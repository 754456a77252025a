import { constants, createPrivateKey, privateDecrypt } from 'node:crypto'
import { ApiError } from '../server/api-error.js'
import type { KeyPair } from './key-pair.js'

/** AsymmetricRsaDecrypt's `Algorithm` values (reference §7). */
export const rsaAlgorithms = ['RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1', 'RSAES_PKCS1_V1_5'] as const
export type RsaAlgorithm = (typeof rsaAlgorithms)[number]

const modulusBytes = 256

function decryptError(): ApiError {
  return new ApiError('FailedOperation.DecryptError', 'Ciphertext could not be decrypted with this key and Algorithm.')
}

/**
 * RSAES-PKCS1-v1_5 decoding (RFC 8017 §7.2.2) of the raw RSA result EM = 00 02 PS(≥ 8 non-zero) 00 M. Done here
 * because Node refuses RSA_PKCS1_PADDING for private decryption (CVE-2023-46809). It reports a padding error, which
 * is a Bleichenbacher oracle: acceptable in a development KMS, and the reason clients should use OAEP.
 */
function unpadPkcs1(em: Buffer): Buffer {
  const separator = em.indexOf(0, 2)
  if (em[0] !== 0 || em[1] !== 2 || separator < 10) throw decryptError()
  return em.subarray(separator + 1)
}

export function decryptRsa(pair: KeyPair, algorithm: RsaAlgorithm, ciphertext: Buffer): Buffer {
  if (ciphertext.length !== modulusBytes) throw decryptError()
  const der = Buffer.from(pair.privateKey, 'base64')
  try {
    const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    if (algorithm === 'RSAES_PKCS1_V1_5') {
      const em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, ciphertext)
      try {
        return Buffer.from(unpadPkcs1(em))
      } finally {
        em.fill(0)
      }
    }
    const oaepHash = algorithm === 'RSAES_OAEP_SHA_256' ? 'sha256' : 'sha1'
    return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, ciphertext)
  } catch (error) {
    if (error instanceof ApiError) throw error
    throw decryptError()
  } finally {
    der.fill(0)
  }
}
