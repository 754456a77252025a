import { aesGcmOpen, authError, zero } from '../crypto/aead.js'
import { deriveCommittedKey } from '../crypto/commit.js'
import { envelopeAad, envelopeEncryptionContext } from '../envelope/aad.js'
import { checkReportedKeyId, commitmentError, equalConstantTime, isCommitted } from '../envelope/commitment.js'
import type { AnyEnvelope, ProjectEnvelope, SealedEnvelope } from '../envelope/types.js'
import { KmsSecretsError } from '../errors.js'
import type { CallOptions, DecryptResult, KmsProvider } from '../kms/types.js'
import { projectPrivateKeyLength } from '../project/constants.js'
import { exportRecipientDataKey } from '../project/hpke.js'
import { type ProjectKeyCache, unwrapProjectKey } from '../project/unwrap.js'
import { fromBase64Strict } from '../util/base64.js'

export interface OpenOptions {
  provider: KmsProvider
  /** The importing file (for messages). */
  file?: string
  /** When given, the envelope's `id` must equal it (ERR_ENVELOPE_MISMATCH otherwise). */
  expectedId?: string
  callOptions?: CallOptions
  /**
   * Mode "project": unwrap through this cache (one KMS call per project key for many envelopes; the caller
   * disposes it). Without it, every open unwraps the private key once and zeroes it.
   */
  projectKeys?: ProjectKeyCache
}

function fieldBytes(
  env: AnyEnvelope,
  field: 'iv' | 'data' | 'tag' | 'salt' | 'commit' | 'enc',
  file: string | undefined,
): Uint8Array {
  const text = env.mode === 'direct' ? undefined : (env as Partial<Record<typeof field, string>>)[field]
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
 * Opens an envelope: one KMS Decrypt of `kms.blob` (EncryptionContext per `envelopeEncryptionContext`); the CMK KMS
 * reports must be `kms.keyId` (ERR_ENVELOPE_KEY); v2 checks the key commitment (ERR_ENVELOPE_COMMITMENT) before
 * AES-256-GCM with `envelopeAad(env)`; the data key is zeroed before returning. Direct mode: Decrypt's plaintext is
 * the payload. Returns the payload bytes (the caller zeroes them when done).
 */
export async function openEnvelope(env: AnyEnvelope, options: OpenOptions): Promise<Uint8Array> {
  const { provider, file, expectedId } = options
  if (expectedId !== undefined && env.id !== expectedId) {
    throw new KmsSecretsError(
      'ERR_ENVELOPE_MISMATCH',
      `The sealed envelope imported as ${file ?? expectedId} was sealed for id "${env.id}", not "${expectedId}".`,
      { hint: 'Envelopes cannot be moved between files; re-seal the value for this file.', file },
    )
  }
  if (env.mode === 'project') return openProject(env, options)
  const encryptionContext = envelopeEncryptionContext(env)
  const sealed =
    env.mode === 'envelope'
      ? { iv: fieldBytes(env, 'iv', file), data: fieldBytes(env, 'data', file), tag: fieldBytes(env, 'tag', file) }
      : undefined
  const res = await provider.decrypt(
    { ciphertextBlob: env.kms.blob, ...(encryptionContext === undefined ? {} : { encryptionContext }) },
    options.callOptions,
  )
  try {
    checkReportedKeyId(env, res.keyId, file)
  } catch (e) {
    zero(res.plaintext)
    throw e
  }
  if (sealed === undefined) return res.plaintext
  try {
    if (!isCommitted(env)) return aesGcmOpen(res.plaintext, sealed, envelopeAad(env), file)
    return openCommitted(res.plaintext, env as SealedEnvelope, sealed, file)
  } finally {
    zero(res.plaintext)
  }
}

/**
 * Mode "project" (FORMAT.md §10.4): unwrap the project private key (one KMS call, or the cache's), check the CMK KMS
 * reports, HPKE SetupBaseR(enc) + Export → data key, then exactly the v2 open (commitment, AES-256-GCM, v2 AAD).
 */
async function openProject(env: ProjectEnvelope, options: OpenOptions): Promise<Uint8Array> {
  const { provider, file, projectKeys } = options
  const sealed = {
    iv: fieldBytes(env, 'iv', file),
    data: fieldBytes(env, 'data', file),
    tag: fieldBytes(env, 'tag', file),
  }
  const enc = fieldBytes(env, 'enc', file)
  const res: DecryptResult = projectKeys
    ? await projectKeys.unwrap(env, options.callOptions)
    : await unwrapProjectKey(env, provider, options.callOptions)
  let dataKey: Uint8Array | undefined
  try {
    checkReportedKeyId(env, res.keyId, file)
    /* Precondition: the unwrapped key is a P-256 scalar; anything else is not this project's key. */
    if (res.plaintext.length !== projectPrivateKeyLength) throw commitmentError(file)
    dataKey = await exportRecipientDataKey(res.plaintext, enc, env.kms.project).catch(() => {
      throw authError(file)
    })
    return openCommitted(dataKey, env, sealed, file)
  } finally {
    if (!projectKeys) zero(res.plaintext)
    zero(dataKey)
  }
}

/** v2: derive key + commitment, compare the commitment in constant time, and only then AES-GCM-open. */
function openCommitted(
  dataKey: Uint8Array,
  env: SealedEnvelope | ProjectEnvelope,
  sealed: { iv: Uint8Array; data: Uint8Array; tag: Uint8Array },
  file: string | undefined,
): Uint8Array {
  const salt = fieldBytes(env, 'salt', file)
  const stored = fieldBytes(env, 'commit', file)
  const derived = deriveCommittedKey(dataKey, salt)
  try {
    if (!equalConstantTime(derived.commit, stored)) throw commitmentError(file)
    return aesGcmOpen(derived.key, sealed, envelopeAad(env), file)
  } finally {
    zero(derived.key)
  }
}
