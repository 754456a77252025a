import { aesGcmOpen, zero } from '../crypto/aead.js'
import { envelopeAad, envelopeEncryptionContext } from '../envelope/aad.js'
import type { Envelope } from '../envelope/types.js'
import { KmsSecretsError } from '../errors.js'
import type { CallOptions, KmsProvider } from '../kms/types.js'
import { fromBase64Strict } from '../util/base64.js'

export interface OpenOptions {
  provider: KmsProvider
  /** The importing file (for messages). */
  file?: string
  /** When given, the envelope's `id` must equal it (ERR_ENVELOPE_MISMATCH otherwise). */
  expectedId?: string
  callOptions?: CallOptions
}

function fieldBytes(env: Envelope, field: 'iv' | 'data' | 'tag', file: string | undefined): Uint8Array {
  const text = env.mode === 'envelope' ? env[field] : undefined
  const bytes = typeof text === 'string' ? fromBase64Strict(text) : undefined
  if (bytes === undefined) {
    throw new KmsSecretsError(
      'ERR_ENVELOPE_FIELD',
      `Field "${field}" of the sealed envelope is not canonical base64.`,
      {
        hint: 'Decode envelopes with decodeEnvelope() before opening them.',
        file,
      },
    )
  }
  return bytes
}

/**
 * Opens an envelope: one KMS Decrypt of `kms.blob` (EncryptionContext per `envelopeEncryptionContext`), then
 * AES-256-GCM with `envelopeAad(env)`; the data key is zeroed before returning. Direct mode: Decrypt's plaintext is
 * the payload. Returns the payload bytes (the caller zeroes them when done).
 */
export async function openEnvelope(env: Envelope, options: OpenOptions): Promise<Uint8Array> {
  const { provider, file, expectedId } = options
  if (expectedId !== undefined && env.id !== expectedId) {
    throw new KmsSecretsError(
      'ERR_ENVELOPE_MISMATCH',
      `The sealed envelope imported as ${file ?? expectedId} was sealed for id "${env.id}", not "${expectedId}".`,
      { hint: 'Envelopes cannot be moved between files; re-seal the value for this file.', file },
    )
  }
  const encryptionContext = envelopeEncryptionContext(env)
  const sealed =
    env.mode === 'envelope'
      ? { iv: fieldBytes(env, 'iv', file), data: fieldBytes(env, 'data', file), tag: fieldBytes(env, 'tag', file) }
      : undefined
  const res = await provider.decrypt(
    { ciphertextBlob: env.kms.blob, ...(encryptionContext === undefined ? {} : { encryptionContext }) },
    options.callOptions,
  )
  if (sealed === undefined) return res.plaintext
  try {
    return aesGcmOpen(res.plaintext, sealed, envelopeAad(env), file)
  } finally {
    zero(res.plaintext)
  }
}
