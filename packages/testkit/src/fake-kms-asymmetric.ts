import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto'
import { sm2 } from 'sm-crypto-v2'

export type AsymmetricUsage = 'ASYMMETRIC_DECRYPT_RSA_2048' | 'ASYMMETRIC_DECRYPT_SM2'

export interface AsymmetricKey {
  usage: AsymmetricUsage
  /** SubjectPublicKeyInfo DER, as GetPublicKey returns it (base64 on the wire). */
  spki: Uint8Array
  decrypt(ciphertext: Uint8Array): Uint8Array
}

/** SPKI DER prefix of an SM2 public key (id-ecPublicKey, curve 1.2.156.10197.1.301), then 04||x||y. */
const sm2SpkiPrefix = '3059301306072a8648ce3d020106082a811ccf5501822d034200'

/**
 * An asymmetric CMK of the fake: RSA keys are random per fake (node:crypto has no seedable RSA keygen); SM2 keys
 * derive from `secret` (the fake's seed), so SM2 ciphertexts of a seeded fake are reproducible.
 */
export function createAsymmetricKey(usage: AsymmetricUsage, secret: Buffer): AsymmetricKey {
  if (usage === 'ASYMMETRIC_DECRYPT_RSA_2048') {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    return {
      usage,
      spki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
      decrypt: (c) =>
        new Uint8Array(
          privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, c),
        ),
    }
  }
  const priv = secret.toString('hex')
  const pub = sm2.getPublicKeyFromPrivateKey(priv)
  return {
    usage,
    spki: new Uint8Array(Buffer.from(sm2SpkiPrefix + pub, 'hex')),
    decrypt: (c) => {
      const out = sm2.doDecrypt(Buffer.from(c).toString('hex'), priv, 1, { output: 'array', asn1: true })
      if (out.length === 0) throw new Error('sm2')
      return new Uint8Array(out)
    },
  }
}
