import { Buffer } from 'node:buffer'
import { constants, createPublicKey, publicEncrypt } from 'node:crypto'
import { sm2 } from 'sm-crypto-v2'
import { KmsSecretsError } from '../errors.js'
import type { ProjectWrap } from './constants.js'

/** DER prefix of an SM2 SubjectPublicKeyInfo: id-ecPublicKey + curve 1.2.156.10197.1.301, BIT STRING of 66 bytes. */
const sm2SpkiPrefix = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex')

function badPublicKey(keyId: string, what: string): KmsSecretsError {
  return new KmsSecretsError('ERR_KMS_REQUEST', `KMS GetPublicKey for CMK ${keyId} returned no valid ${what} key.`, {
    hint: 'Check that the CMK is ASYMMETRIC_DECRYPT_RSA_2048 or ASYMMETRIC_DECRYPT_SM2 and the endpoint is Tencent KMS or local-kms.',
    keyId,
  })
}

/** The wrap a CMK's public key (DER SPKI from GetPublicKey) needs: SM2 for an SM2 SPKI, else RSA (checked when used). */
export function wrapOfPublicKey(spki: Uint8Array): Exclude<ProjectWrap, 'KMS'> {
  const der = Buffer.from(spki)
  return der.subarray(0, sm2SpkiPrefix.length).equals(sm2SpkiPrefix) ? 'SM2' : 'RSAES_OAEP_SHA_256'
}

/** The uncompressed SM2 point (65 bytes, 04||x||y) of an SM2 SPKI, as sm-crypto-v2 wants it (hex). */
function sm2PointHex(spki: Uint8Array, keyId: string): string {
  const der = Buffer.from(spki)
  if (der.length !== sm2SpkiPrefix.length + 65 || !der.subarray(0, sm2SpkiPrefix.length).equals(sm2SpkiPrefix))
    throw badPublicKey(keyId, 'SM2')
  const point = der.subarray(sm2SpkiPrefix.length)
  if (point[0] !== 4) throw badPublicKey(keyId, 'SM2')
  return point.toString('hex')
}

/**
 * Wraps the project's private key locally with an asymmetric CMK's public key (from GetPublicKey, DER SPKI):
 * RSAES_OAEP_SHA_256 (MGF1-SHA256, empty label) or SM2 public-key encryption, C1C3C2, ASN.1 DER
 * (SEQUENCE { x INTEGER, y INTEGER, hash OCTET STRING, ciphertext OCTET STRING }). Returns base64 — what
 * AsymmetricRsaDecrypt / AsymmetricSm2Decrypt take as `Ciphertext`.
 */
export function wrapWithPublicKey(
  alg: Exclude<ProjectWrap, 'KMS'>,
  spki: Uint8Array,
  keyId: string,
  plaintext: Uint8Array,
): string {
  if (alg === 'RSAES_OAEP_SHA_256') {
    let key: ReturnType<typeof createPublicKey>
    try {
      key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' })
    } catch {
      throw badPublicKey(keyId, 'RSA')
    }
    if (key.asymmetricKeyType !== 'rsa' || key.asymmetricKeyDetails?.modulusLength !== 2048)
      throw badPublicKey(keyId, 'RSA 2048')
    const out = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, plaintext)
    return out.toString('base64')
  }
  const hex = sm2.doEncrypt(plaintext, sm2PointHex(spki, keyId), 1, { asn1: true })
  return Buffer.from(hex, 'hex').toString('base64')
}
