import { constants, createPublicKey, publicEncrypt } from 'node:crypto'
import { sm2 } from 'sm-crypto-v2'
import type { SdkClient } from './sdk.js'

export type AsymmetricUsage = 'ASYMMETRIC_DECRYPT_RSA_2048' | 'ASYMMETRIC_DECRYPT_SM2'

/** The SPKI prefix of an SM2 public key (id-ecPublicKey + curve 1.2.156.10197.1.301), written out independently. */
export const sm2SpkiPrefix = '3059301306072a8648ce3d020106082a811ccf5501822d034200'

let counter = 0

/** Creates an asymmetric key; returns its KeyId, alias and the base64 DER public key GetPublicKey reports. */
export async function createAsymmetricKey(
  sdk: SdkClient,
  usage: AsymmetricUsage,
): Promise<{ keyId: string; alias: string; publicKey: string }> {
  counter += 1
  const alias = `${usage === 'ASYMMETRIC_DECRYPT_SM2' ? 'sm2' : 'rsa'}-${process.pid}-${counter}`
  const { KeyId } = await sdk.call('CreateKey', { Alias: alias, KeyUsage: usage })
  const { PublicKey } = await sdk.call('GetPublicKey', { KeyId })
  return { keyId: KeyId, alias, publicKey: PublicKey }
}

const oaep = { RSAES_OAEP_SHA_256: 'sha256', RSAES_OAEP_SHA_1: 'sha1' } as const

/** Encrypts locally with the public key GetPublicKey returned, as a client would (node:crypto). */
export function rsaEncrypt(publicKey: string, algorithm: keyof typeof oaep | 'RSAES_PKCS1_V1_5', data: Buffer): string {
  const key = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' })
  const options =
    algorithm === 'RSAES_PKCS1_V1_5'
      ? { key, padding: constants.RSA_PKCS1_PADDING }
      : { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaep[algorithm] }
  return publicEncrypt(options, data).toString('base64')
}

/** `04 || x || y` (hex) out of an SM2 SubjectPublicKeyInfo. */
export function sm2PointHex(publicKey: string): string {
  const der = Buffer.from(publicKey, 'base64').toString('hex')
  if (!der.startsWith(sm2SpkiPrefix) || der.length !== sm2SpkiPrefix.length + 130) throw new Error('not an SM2 SPKI')
  return der.slice(sm2SpkiPrefix.length)
}

function derLength(n: number): Buffer {
  return n < 0x80 ? Buffer.from([n]) : Buffer.from([0x81, n])
}

function derTlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(value.length), value])
}

function derInteger(bytes: Buffer): Buffer {
  let i = 0
  while (i < bytes.length - 1 && bytes[i] === 0) i += 1
  const magnitude = bytes.subarray(i)
  return derTlv(0x02, magnitude[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude)
}

/** Raw C1C3C2 (x || y || C3 || C2, no 04 prefix, as the library outputs) → GM/T 0009 ASN.1 DER, written out here. */
export function sm2RawToDer(raw: Buffer): Buffer {
  const x = raw.subarray(0, 32)
  const y = raw.subarray(32, 64)
  const hash = raw.subarray(64, 96)
  const cipher = raw.subarray(96)
  const body = Buffer.concat([derInteger(x), derInteger(y), derTlv(0x04, hash), derTlv(0x04, cipher)])
  return derTlv(0x30, body)
}

/** SM2-encrypts locally (C1C3C2): `der` uses our own ASN.1 encoder, `library-asn1` the library's, `raw` none. */
export function sm2Encrypt(publicKey: string, data: Buffer, form: 'der' | 'library-asn1' | 'raw' = 'der'): Buffer {
  const point = sm2PointHex(publicKey)
  if (form === 'library-asn1') return Buffer.from(sm2.doEncrypt(data, point, 1, { asn1: true }), 'hex')
  const raw = Buffer.from(sm2.doEncrypt(data, point, 1), 'hex')
  return form === 'raw' ? raw : sm2RawToDer(raw)
}
