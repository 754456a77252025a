import { sm2 } from 'sm-crypto-v2'
import { ApiError } from '../server/api-error.js'
import type { KeyPair } from './key-pair.js'
import { decodeSm2Ciphertext } from './sm2-ciphertext.js'

/**
 * SubjectPublicKeyInfo prefix of an SM2 public key, as Tencent's GetPublicKey returns it ("MFkwEwYHKoZIzj0CAQYI
 * KoEcz1UBgi0DQgAE…"): SEQUENCE { SEQUENCE { id-ecPublicKey 1.2.840.10045.2.1, SM2 curve 1.2.156.10197.1.301 },
 * BIT STRING (0 unused bits) 04 || x || y } — GM/T 0009 / GB/T 35276.
 */
const spkiPrefix = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex')
const pointLength = 65
const scalarRE = /^[A-Za-z0-9+/]{43}=$/

export function createSm2KeyPair(): KeyPair {
  const { privateKey, publicKey } = sm2.generateKeyPairHex()
  return { privateKey: Buffer.from(privateKey, 'hex').toString('base64'), publicKey: encodeSm2Spki(publicKey) }
}

/** `04 || x || y` (hex) → base64 DER SubjectPublicKeyInfo. */
function encodeSm2Spki(pointHex: string): string {
  return Buffer.concat([spkiPrefix, Buffer.from(pointHex, 'hex')]).toString('base64')
}

function pointHexOf(publicKey: string): string | undefined {
  const der = Buffer.from(publicKey, 'base64')
  const ok = der.length === spkiPrefix.length + pointLength && der.subarray(0, spkiPrefix.length).equals(spkiPrefix)
  return ok ? der.subarray(spkiPrefix.length).toString('hex') : undefined
}

export function checkSm2KeyPair(privateKey: string, publicKey: string): string | undefined {
  const point = pointHexOf(publicKey)
  if (!scalarRE.test(privateKey) || point === undefined) return 'has an invalid SM2 key pair'
  try {
    const derived = sm2.getPublicKeyFromPrivateKey(Buffer.from(privateKey, 'base64').toString('hex'))
    return derived.toLowerCase() === point ? undefined : 'has an invalid SM2 key pair'
  } catch {
    return 'has an invalid SM2 key pair'
  }
}

function decryptError(): ApiError {
  return new ApiError('FailedOperation.DecryptError', 'Ciphertext could not be decrypted with this key.')
}

/**
 * SM2 public-key decryption (GB/T 32918.4) of a C1C3C2 ASN.1 DER ciphertext. The library checks that C1 is on the
 * curve and that C3 = SM3(x2 || M || y2); a failed check comes back as an empty result.
 */
export function decryptSm2(pair: KeyPair, ciphertext: Buffer): Buffer {
  const parts = decodeSm2Ciphertext(ciphertext)
  if (!parts) throw decryptError()
  const raw = Buffer.concat([parts.x, parts.y, parts.hash, parts.cipher]).toString('hex')
  const d = Buffer.from(pair.privateKey, 'base64')
  let plaintext: Uint8Array
  try {
    plaintext = sm2.doDecrypt(raw, d.toString('hex'), 1, { output: 'array' })
  } catch {
    throw decryptError()
  } finally {
    d.fill(0)
  }
  if (plaintext.length !== parts.cipher.length) throw decryptError()
  return Buffer.from(plaintext)
}
