/**
 * Sealed envelope, format version 1. Spec: packages/core/FORMAT.md.
 * Field order on disk is fixed: marker/version first, then the algorithm id, then the rest.
 */
export const ENVELOPE_MARKER = 'kmsSecrets' as const
export const ENVELOPE_VERSION = 1 as const
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
  kmsSecrets: typeof ENVELOPE_VERSION
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

export type Envelope = SealedEnvelope | DirectEnvelope
