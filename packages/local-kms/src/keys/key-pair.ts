import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { checkSm2KeyPair, createSm2KeyPair } from './sm2.js'

/** The asymmetric KeyUsage values local-kms implements: decryption only (no SIGN_VERIFY keys). */
export const asymmetricKeyUsages = ['ASYMMETRIC_DECRYPT_RSA_2048', 'ASYMMETRIC_DECRYPT_SM2'] as const
export type AsymmetricKeyUsage = (typeof asymmetricKeyUsages)[number]

/**
 * The key pair of an asymmetric CMK, base64 at rest. `publicKey` is the DER SubjectPublicKeyInfo that GetPublicKey
 * returns as is. `privateKey` is PKCS#8 DER for RSA and the 32-byte big-endian scalar d for SM2.
 */
export interface KeyPair {
  privateKey: string
  publicKey: string
}

export function isAsymmetricUsage(usage: string): usage is AsymmetricKeyUsage {
  return (asymmetricKeyUsages as readonly string[]).includes(usage)
}

export function createKeyPair(usage: AsymmetricKeyUsage): KeyPair {
  if (usage === 'ASYMMETRIC_DECRYPT_SM2') return createSm2KeyPair()
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 })
  return {
    privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
    publicKey: pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  }
}

/** A problem (no values quoted) when a stored pair is malformed or its halves do not belong together. */
export function checkKeyPair(usage: AsymmetricKeyUsage, pair: Record<string, unknown>): string | undefined {
  const { privateKey, publicKey } = pair
  if (typeof privateKey !== 'string' || typeof publicKey !== 'string') return 'has an invalid key pair'
  if (usage === 'ASYMMETRIC_DECRYPT_SM2') return checkSm2KeyPair(privateKey, publicKey)
  try {
    const key = createPrivateKey({ key: Buffer.from(privateKey, 'base64'), format: 'der', type: 'pkcs8' })
    const derived = createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64')
    const ok = key.asymmetricKeyType === 'rsa' && key.asymmetricKeyDetails?.modulusLength === 2048
    return ok && derived === publicKey ? undefined : 'has an invalid RSA key pair'
  } catch {
    return 'has an invalid RSA key pair'
  }
}

/** PEM of a DER SubjectPublicKeyInfo, as Tencent's `PublicKeyPem` shows it: 64-character lines, trailing newline. */
export function publicKeyPemOf(publicKey: string): string {
  const lines =
    Buffer.from(publicKey, 'base64')
      .toString('base64')
      .match(/.{1,64}/g) ?? []
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`
}
