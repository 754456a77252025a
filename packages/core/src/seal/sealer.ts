import { aesGcmSeal, keyLength, zero } from '../crypto/aead.js'
import { encryptionContextFor, envelopeAad } from '../envelope/aad.js'
import {
  ENVELOPE_ALG,
  ENVELOPE_VERSION,
  type SealedEnvelope,
  type SecretFormat,
  type Shape,
} from '../envelope/types.js'
import { validateEnvelope } from '../envelope/validate.js'
import { KmsSecretsError } from '../errors.js'
import type { DataKey, KmsProvider } from '../kms/types.js'
import { toBase64 } from '../util/base64.js'

export interface SealerOptions {
  provider: KmsProvider
  /** CMK KeyId or alias. */
  keyId: string
  /** User encryption context (string → string), bound by the KMS EncryptionContext and the AAD. */
  context?: Record<string, string>
  /** IV source; only for reproducible test vectors. Default: crypto.randomBytes. */
  randomIv?: () => Uint8Array
}

export interface SealInput {
  /** Logical file id (e.g. `db.secret.json`). */
  id: string
  format: SecretFormat
  payload: Uint8Array
  shape?: Shape
}

export interface Sealer {
  /** Seals one value; the first call does the single GenerateDataKey of this sealer. */
  seal(input: SealInput): Promise<SealedEnvelope>
  /** Zeroes the data key; later `seal()` calls fail. Idempotent. */
  dispose(): void
}

function checkDataKey(dk: DataKey, keyId: string): DataKey {
  if (!(dk.plaintext instanceof Uint8Array) || dk.plaintext.length !== keyLength || !dk.ciphertextBlob) {
    zero(dk.plaintext)
    throw new KmsSecretsError(
      'ERR_KMS_REQUEST',
      `KMS GenerateDataKey for key ${keyId} returned no valid AES-256 key.`,
      {
        hint: 'Check that the endpoint is a Tencent KMS (or local-kms) and that the key is a symmetric ENCRYPT_DECRYPT key.',
        keyId,
      },
    )
  }
  return dk
}

/**
 * A sealer for one build: lazily does ONE KMS GenerateDataKey (AES_256, EncryptionContext =
 * `encryptionContextFor(context)`) on the first `seal()`, reuses that data key for every later value (each with its
 * own random IV and AAD), and zeroes it on `dispose()`.
 */
export function createSealer(options: SealerOptions): Sealer {
  const { provider, keyId, randomIv } = options
  const context = { ...(options.context ?? {}) }
  const encryptionContext = encryptionContextFor(context)
  let pending: Promise<DataKey> | undefined
  let disposed = false
  const disposedError = () =>
    new KmsSecretsError('ERR_INTERNAL', 'The sealer was used after dispose().', 'This is a bug; please report it.')

  function dataKey(): Promise<DataKey> {
    pending ??= provider.generateDataKey({ keyId, encryptionContext }).then(
      (dk) => {
        if (disposed) zero(dk.plaintext)
        return checkDataKey(dk, keyId)
      },
      (e: unknown) => {
        pending = undefined
        throw e
      },
    )
    return pending
  }

  return {
    async seal(input) {
      if (disposed) throw disposedError()
      const dk = await dataKey()
      if (disposed) throw disposedError()
      const env: SealedEnvelope = {
        kmsSecrets: ENVELOPE_VERSION,
        alg: ENVELOPE_ALG,
        mode: 'envelope',
        id: input.id,
        format: input.format,
        kms: { provider: provider.name, region: provider.region, keyId: dk.keyId || keyId, blob: dk.ciphertextBlob },
        context: { ...context },
        ...(input.shape === undefined ? {} : { shape: input.shape }),
        iv: '',
        data: '',
        tag: '',
      }
      const sealed = aesGcmSeal(dk.plaintext, input.payload, envelopeAad(env), randomIv?.())
      const out = { ...env, iv: toBase64(sealed.iv), data: toBase64(sealed.data), tag: toBase64(sealed.tag) }
      /* Precondition: what we write is what decodeEnvelope accepts (id, format, shape, region…). */
      return validateEnvelope(out, input.id) as SealedEnvelope
    },
    dispose() {
      disposed = true
      pending?.then(
        (dk) => zero(dk.plaintext),
        () => {},
      )
    },
  }
}

export interface SealSecretOptions extends Omit<SealerOptions, 'randomIv'>, SealInput {}

/** One-shot seal: one GenerateDataKey, one value, data key zeroed before returning. */
export async function sealSecret(options: SealSecretOptions): Promise<SealedEnvelope> {
  const sealer = createSealer(options)
  try {
    return await sealer.seal(options)
  } finally {
    sealer.dispose()
  }
}
