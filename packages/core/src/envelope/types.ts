/**
 * Sealed envelope, format versions 1 and 2. Spec: packages/core/FORMAT.md.
 * Field order on disk is fixed: marker/version first, then the algorithm id, then the rest.
 */
export const ENVELOPE_MARKER = 'kmsSecrets' as const
/** The version every writer writes (v2: key commitment, `kms.keyId` authenticated). */
export const ENVELOPE_VERSION = 2 as const
/** Every version this reader opens; anything else → ERR_ENVELOPE_VERSION. */
export const ENVELOPE_VERSIONS = [1, 2] as const
export type EnvelopeVersion = (typeof ENVELOPE_VERSIONS)[number]
export const ENVELOPE_ALG = 'AES-256-GCM' as const

/** How the value's plaintext is encoded inside the ciphertext and what an import yields. */
export type SecretFormat = 'json' | 'yaml' | 'env' | 'text'

/**
 * Types of a secret's keys — never its values. Stored in clear in the envelope (authenticated as associated data)
 * so typed imports and named exports work for sealed-on-disk files. Key names are not secret.
 */
export type Shape =
  | 'string'
  | 'number'
  | 'boolean'
  | 'null'
  | 'unknown'
  | { readonly array: Shape }
  | { readonly object: { readonly [key: string]: Shape } }

export interface EnvelopeKms {
  provider: 'tencent'
  region: string
  /** CMK KeyId as reported by KMS when sealing. */
  keyId: string
  /** Opaque KMS CiphertextBlob: the wrapped data key (mode "envelope") or the value itself (mode "direct"). */
  blob: string
}

interface EnvelopeBase {
  kmsSecrets: EnvelopeVersion
  alg: typeof ENVELOPE_ALG | 'KMS'
  /** Logical file id the value is bound to (default: the file's base name, e.g. `db.secret.json`). */
  id: string
  format: SecretFormat
  kms: EnvelopeKms
  /** User encryption context (string → string), part of the KMS EncryptionContext and of the AAD. */
  context: Record<string, string>
  shape?: Shape
}

/** GenerateDataKey + local AES-256-GCM: any size, one KMS Decrypt per distinct `kms.blob`. */
export interface SealedEnvelope extends EnvelopeBase {
  alg: typeof ENVELOPE_ALG
  mode: 'envelope'
  /** v2 only: base64, 32 random bytes, HKDF salt of the value's AES key and key commitment. */
  salt?: string
  /** v2 only: base64, 32 bytes, key commitment: HKDF-SHA256(data key, salt, "…commit"). Checked before decrypting. */
  commit?: string
  /** base64, 12 bytes */
  iv: string
  /** base64 ciphertext of the payload */
  data: string
  /** base64, 16 bytes */
  tag: string
}

/** A bare KMS CiphertextBlob from Encrypt (≤ 4 KB value), e.g. from the Tencent console's online tool. */
export interface DirectEnvelope extends EnvelopeBase {
  alg: 'KMS'
  mode: 'direct'
}

/** `kms` of mode "project": where the project's wrapped private key is and how to unwrap it (FORMAT.md §10). */
export interface ProjectEnvelopeKms extends EnvelopeKms {
  /** The project key's wrapped private key: a KMS CiphertextBlob (wrap "KMS") or base64 (RSA / SM2). */
  blob: string
  /** How `blob` is unwrapped: KMS Decrypt, AsymmetricRsaDecrypt (RSAES_OAEP_SHA_256) or AsymmetricSm2Decrypt. */
  wrap: 'KMS' | 'RSAES_OAEP_SHA_256' | 'SM2'
  /** Project key fingerprint (lowercase hex SHA-256, FORMAT.md §10.2), part of the HPKE info. */
  project: string
}

/**
 * Sealed with a project key's public half, offline: HPKE (P-256) exports the data key, then the v2 key schedule and
 * AES-256-GCM exactly as mode "envelope". Every envelope of one project key shares `kms` (one unwrap per process).
 */
export interface ProjectEnvelope extends Omit<EnvelopeBase, 'kms' | 'alg'> {
  kmsSecrets: 2
  alg: 'HPKE-P256-AES-256-GCM'
  mode: 'project'
  kms: ProjectEnvelopeKms
  /** base64, 65 bytes: HPKE `enc` (the sender's ephemeral P-256 public key, uncompressed). */
  enc: string
  salt: string
  commit: string
  iv: string
  data: string
  tag: string
}

/** The data-key modes every opener reads (`validateEnvelope`). */
export type Envelope = SealedEnvelope | DirectEnvelope

/** Every mode, including "project" (`validateAnyEnvelope`, `decodeEnvelope`). */
export type AnyEnvelope = Envelope | ProjectEnvelope
