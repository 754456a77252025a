import { encryptionContextFor } from '../envelope/aad.js'
import { orderEnvelope } from '../envelope/codec.js'
import {
  type DirectEnvelope,
  ENVELOPE_VERSION,
  type EnvelopeVersion,
  type SecretFormat,
  type Shape,
} from '../envelope/types.js'
import { validateEnvelope } from '../envelope/validate.js'

export interface WrapBlobOptions {
  /** A bare KMS `CiphertextBlob` from Encrypt (console online tool, `tccli kms Encrypt`, the SDK). */
  blob: string
  /** The CMK, if known (informational: Decrypt finds the key from the blob). */
  keyId?: string
  region: string
  id: string
  format: SecretFormat
  /** Must equal the EncryptionContext used at Encrypt (direct mode adds no marker key). */
  context?: Record<string, string>
  shape?: Shape
  /** Format version to write; default the newest. v1 only for the frozen test vectors. */
  version?: EnvelopeVersion
}

/**
 * Wraps a bare KMS CiphertextBlob into a direct-mode envelope. No KMS call, no plaintext involved.
 * Opening sends `envelopeEncryptionContext(env)`: nothing when `context` is empty (console/tccli blobs carry none),
 * else the sorted JSON of `context` without the marker key — so it must equal the EncryptionContext used at Encrypt.
 * `encryptionContextFor` is called here only to validate the context (strings, size).
 */
export function wrapBlob(options: WrapBlobOptions): DirectEnvelope {
  const context = { ...(options.context ?? {}) }
  encryptionContextFor(context)
  const env: DirectEnvelope = {
    kmsSecrets: options.version ?? ENVELOPE_VERSION,
    alg: 'KMS',
    mode: 'direct',
    id: options.id,
    format: options.format,
    kms: { provider: 'tencent', region: options.region, keyId: options.keyId ?? '', blob: options.blob.trim() },
    context,
    ...(options.shape === undefined ? {} : { shape: options.shape }),
  }
  return orderEnvelope(validateEnvelope(env, options.id)) as DirectEnvelope
}
