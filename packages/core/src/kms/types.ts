/**
 * The KMS calls kms-secrets makes, typed by what we use — not by any SDK's classes — so tests can pass an
 * in-memory fake. Field names follow Tencent KMS API 2019-01-18 (https://cloud.tencent.com/document/api/573).
 * `encryptionContext` is always the exact string sent to KMS (canonical JSON, see `encryptionContextFor`).
 */
export interface GenerateDataKeyRequest {
  keyId: string
  /** Canonical JSON string; ≤ 1024 chars. */
  encryptionContext?: string
}

export interface DataKey {
  /** The CMK's KeyId as KMS reports it (resolves aliases). */
  keyId: string
  /** 32 bytes of AES-256 key. The caller zeroes it (`fill(0)`) as soon as it has been used. */
  plaintext: Uint8Array
  /** Opaque KMS CiphertextBlob; never base64-decode it. */
  ciphertextBlob: string
  requestId?: string
}

export interface DecryptRequest {
  ciphertextBlob: string
  encryptionContext?: string
}

export interface DecryptResult {
  keyId: string
  /** The caller zeroes it as soon as it has been used. */
  plaintext: Uint8Array
  requestId?: string
}

export interface EncryptRequest {
  keyId: string
  /** ≤ 4096 bytes. */
  plaintext: Uint8Array
  encryptionContext?: string
}

export interface EncryptResult {
  keyId: string
  ciphertextBlob: string
  requestId?: string
}

export interface ReEncryptRequest {
  ciphertextBlob: string
  /** Empty: the original CMK (re-wrapped to its current version if it was rotated). */
  destinationKeyId?: string
  sourceEncryptionContext?: string
  destinationEncryptionContext?: string
}

export interface ReEncryptResult {
  ciphertextBlob: string
  keyId: string
  sourceKeyId: string
  reEncrypted: boolean
  requestId?: string
}

/** GetPublicKey (https://cloud.tencent.com/document/api/573/38297): asymmetric CMKs only. */
export interface GetPublicKeyResult {
  keyId: string
  /** DER SubjectPublicKeyInfo (RSA rsaEncryption, or id-ecPublicKey on curve SM2 1.2.156.10197.1.301). */
  publicKey: Uint8Array
  requestId?: string
}

/** AsymmetricRsaDecrypt (https://cloud.tencent.com/document/api/573/54271). */
export interface AsymmetricRsaDecryptRequest {
  keyId: string
  /** base64 of the RSA ciphertext (256 bytes for RSA_2048). */
  ciphertext: string
  algorithm: 'RSAES_OAEP_SHA_256' | 'RSAES_OAEP_SHA_1' | 'RSAES_PKCS1_V1_5'
}

/** AsymmetricSm2Decrypt (https://cloud.tencent.com/document/api/573/54272): C1C3C2, ASN.1 DER. */
export interface AsymmetricSm2DecryptRequest {
  keyId: string
  /** base64 of DER SEQUENCE { x INTEGER, y INTEGER, hash OCTET STRING, ciphertext OCTET STRING }. */
  ciphertext: string
}

/** DescribeKey's KeyMetadata, reduced to what kms-secrets reads. */
export interface KeyDescription {
  keyId: string
  /** `ENCRYPT_DECRYPT`, `ASYMMETRIC_DECRYPT_RSA_2048`, `ASYMMETRIC_DECRYPT_SM2`, … */
  keyUsage?: string
  keyState?: string
}

/** Per-call options (abort + timeout); providers map them onto their transport. */
export interface CallOptions {
  signal?: AbortSignal
  /** Milliseconds. */
  timeoutMs?: number
}

export interface KmsProvider {
  readonly name: ProviderName
  /** Region the provider talks to (recorded in envelopes). */
  readonly region: string
  generateDataKey(req: GenerateDataKeyRequest, opts?: CallOptions): Promise<DataKey>
  decrypt(req: DecryptRequest, opts?: CallOptions): Promise<DecryptResult>
  encrypt(req: EncryptRequest, opts?: CallOptions): Promise<EncryptResult>
  reEncrypt(req: ReEncryptRequest, opts?: CallOptions): Promise<ReEncryptResult>
  /** Project keys (FORMAT.md §10): KeyUsage of the CMK `init` wraps under. */
  describeKey?(keyId: string, opts?: CallOptions): Promise<KeyDescription>
  /** Project keys on an asymmetric CMK: `init` wraps locally with the CMK's public key. */
  getPublicKey?(req: { keyId: string }, opts?: CallOptions): Promise<GetPublicKeyResult>
  /** Unwraps a project private key wrapped with RSAES_OAEP_SHA_256; the result's plaintext is zeroed by the caller. */
  asymmetricRsaDecrypt?(req: AsymmetricRsaDecryptRequest, opts?: CallOptions): Promise<DecryptResult>
  /** Unwraps a project private key wrapped with SM2 (C1C3C2, ASN.1); the caller zeroes the plaintext. */
  asymmetricSm2Decrypt?(req: AsymmetricSm2DecryptRequest, opts?: CallOptions): Promise<DecryptResult>
}

export type ProviderName = 'tencent'
