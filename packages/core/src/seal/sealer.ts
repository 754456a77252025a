import { randomBytes } from 'node:crypto'
import { aesGcmSeal, keyLength, zero } from '../crypto/aead.js'
import { deriveCommittedKey } from '../crypto/commit.js'
import { encryptionContextFor, envelopeAad } from '../envelope/aad.js'
import { orderEnvelope } from '../envelope/codec.js'
import { saltLength } from '../envelope/commitment.js'
import {
  ENVELOPE_ALG,
  ENVELOPE_VERSION,
  type EnvelopeVersion,
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
  /** v2 HKDF salt source (32 bytes); only for reproducible test vectors. Default: crypto.randomBytes. */
  randomSalt?: () => Uint8Array
  /**
   * Format version to write. Default (and the only choice for new files): the newest, 2. Version 1 exists for the
   * frozen v1 test vectors and for tests that show what v1 does not authenticate.
   */
  version?: EnvelopeVersion
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
 * AES-256-GCM of one value. v1: under the data key itself. v2: under HKDF(data key, fresh salt), with the key
 * commitment written next to it (FORMAT.md §3.2); the derived key is zeroed here.
 */
function sealValue(
  dataKey: Uint8Array,
  payload: Uint8Array,
  env: SealedEnvelope,
  version: EnvelopeVersion,
  options: SealerOptions,
): { commitment: { salt?: string; commit?: string }; sealed: ReturnType<typeof aesGcmSeal> } {
  const iv = options.randomIv?.()
  if (version === 1) return { commitment: {}, sealed: aesGcmSeal(dataKey, payload, envelopeAad(env), iv) }
  const salt = options.randomSalt?.() ?? new Uint8Array(randomBytes(saltLength))
  const derived = deriveCommittedKey(dataKey, salt)
  const commitment = { salt: toBase64(salt), commit: toBase64(derived.commit) }
  try {
    return { commitment, sealed: aesGcmSeal(derived.key, payload, envelopeAad({ ...env, ...commitment }), iv) }
  } finally {
    zero(derived.key)
  }
}

/**
 * A sealer for one build: lazily does ONE KMS GenerateDataKey (AES_256, EncryptionContext =
 * `encryptionContextFor(context)`) on the first `seal()`, reuses that data key for every later value (each with its
 * own random IV and AAD), and zeroes it on `dispose()`.
 */
export function createSealer(options: SealerOptions): Sealer {
  const { provider, keyId } = options
  const version = options.version ?? ENVELOPE_VERSION
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
        kmsSecrets: version,
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
      const { commitment, sealed } = sealValue(dk.plaintext, input.payload, env, version, options)
      const out = {
        ...env,
        ...commitment,
        iv: toBase64(sealed.iv),
        data: toBase64(sealed.data),
        tag: toBase64(sealed.tag),
      }
      /* Precondition: what we write is what decodeEnvelope accepts (id, format, shape, region…), in on-disk order. */
      return orderEnvelope(validateEnvelope(out, input.id)) as SealedEnvelope
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

export interface SealSecretOptions extends Omit<SealerOptions, 'randomIv' | 'randomSalt'>, SealInput {}

/** One-shot seal: one GenerateDataKey, one value, data key zeroed before returning. */
export async function sealSecret(options: SealSecretOptions): Promise<SealedEnvelope> {
  const sealer = createSealer(options)
  try {
    return await sealer.seal(options)
  } finally {
    sealer.dispose()
  }
}
