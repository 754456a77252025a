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
}

export type ProviderName = 'tencent'
