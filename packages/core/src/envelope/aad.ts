import { KmsSecretsError } from '../errors.js'
import { projectContextKey } from '../project/constants.js'
import { canonicalJson, isPlainObject } from '../util/canonical-json.js'
import type { AnyEnvelope } from './types.js'

const utf8Encoder = new TextEncoder()

/** Tencent KMS limit for EncryptionContext (https://cloud.tencent.com/document/api/573/34420). */
export const maxEncryptionContextLength = 1024
/** Key that every kms-secrets EncryptionContext carries, so our data keys are recognisable in KMS audit logs. */
export const contextMarkerKey = 'kms-secrets'

/**
 * AES-GCM associated data of an envelope: UTF-8 of the canonical JSON of {v, alg, mode, id, format, context, shape?}.
 * It binds the ciphertext to its version, logical file id, format, user context and shape (FORMAT.md §3). The CMK
 * (`kms.keyId`) is deliberately NOT in it: `rotate` re-wraps the data key under another CMK with ReEncrypt (no
 * Decrypt right, no plaintext), which changes `kms.keyId` and `kms.blob` only. v2 binds both another way: the key
 * commitment binds the data key, and every open checks that the KeyId KMS reports for the blob is `kms.keyId`.
 */
export function envelopeAad(
  env: AnyEnvelope,
  contextJson: string = canonicalJson(env.context),
  shapeJson: string | undefined = env.shape === undefined ? undefined : canonicalJson(env.shape),
): Uint8Array {
  // canonicalJson({ v, alg, mode, id, format, context, shape? }) with its top-level keys written in sorted order
  // directly (it runs for every value opened); test/aad.test.ts checks it against canonicalJson. An opener that
  // validated the envelope may pass the canonical JSON of its context and shape (memoized: one build's files share
  // them); they must be `canonicalJson(env.context)` and `canonicalJson(env.shape)`.
  const s = JSON.stringify
  const shape = shapeJson === undefined ? '' : `"shape":${shapeJson},`
  const text = `{"alg":${s(env.alg)},"context":${contextJson},"format":${s(env.format)},"id":${s(env.id)},"mode":${s(env.mode)},${shape}"v":${canonicalJson(env.kmsSecrets)}}`
  return utf8Encoder.encode(text)
}

function contextError(problem: string): KmsSecretsError {
  return new KmsSecretsError('ERR_CONTEXT_INVALID', `The encryption context ${problem}.`, {
    hint: 'Use a few short string key/value pairs (e.g. { app: "api", env: "prod" }); the whole context is limited to 1024 characters.',
  })
}

/**
 * The exact KMS EncryptionContext string for a user context: canonical JSON (sorted keys) of
 * `{ ...context, "kms-secrets": "1" }`. The file id is NOT part of it (it is bound by the AAD), so one data key can
 * seal every file of a build. Non-string values, the reserved key or > 1024 characters → ERR_CONTEXT_INVALID.
 */
export function encryptionContextFor(context: Record<string, string> = {}): string {
  if (!isPlainObject(context)) throw contextError('is not an object of strings')
  for (const key of Object.keys(context)) {
    if (key === contextMarkerKey || key === projectContextKey) throw contextError(`uses the reserved key "${key}"`)
    if (key === '') throw contextError('has an empty key')
    if (typeof context[key] !== 'string') throw contextError(`value of key "${key.slice(0, 64)}" is not a string`)
  }
  const text = canonicalJson({ ...context, [contextMarkerKey]: '1' })
  if (text.length > maxEncryptionContextLength) {
    throw contextError(`is ${text.length} characters long as JSON (limit ${maxEncryptionContextLength})`)
  }
  return text
}

/**
 * EncryptionContext of a project private key wrapped by a symmetric CMK (FORMAT.md §10.2): canonical JSON of
 * `{ ...context, "kms-secrets": "1", "kms-secrets-project": fingerprint }`. The project marker keeps a data-key blob
 * and a project-key blob apart and binds the blob to the public key it belongs to.
 */
export function projectEncryptionContext(context: Record<string, string>, fingerprint: string): string {
  encryptionContextFor(context)
  const text = canonicalJson({ ...context, [contextMarkerKey]: '1', [projectContextKey]: fingerprint })
  if (text.length > maxEncryptionContextLength) {
    throw contextError(`is ${text.length} characters long as JSON with the project marker (limit 1024)`)
  }
  return text
}

/**
 * The EncryptionContext sent to KMS for an envelope. Mode "envelope": `encryptionContextFor(context)`.
 * Mode "project": `projectEncryptionContext(context, kms.project)` for wrap "KMS", none for RSA/SM2 wraps.
 * Mode "direct": the blob was made outside kms-secrets (console tool, `tccli kms Encrypt`), usually without any
 * context, so the marker key is NOT added: no context → none sent; otherwise canonical JSON of the user context.
 */
export function envelopeEncryptionContext(env: AnyEnvelope): string | undefined {
  if (env.mode === 'envelope') return encryptionContextFor(env.context)
  if (env.mode === 'project') {
    const ec = projectEncryptionContext(env.context, env.kms.project)
    return env.kms.wrap === 'KMS' ? ec : undefined
  }
  encryptionContextFor(env.context)
  return Object.keys(env.context).length === 0 ? undefined : canonicalJson(env.context)
}
