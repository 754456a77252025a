import { KmsSecretsError } from '../errors.js'
import type { AnyEnvelope } from './types.js'

/**
 * Key commitment of format v2 (FORMAT.md §3.2), modelled on the AWS Encryption SDK's committing suites: AES-GCM
 * does not commit to its key, so one (iv, data, tag) can be made valid under two data keys ("invisible salamanders").
 * v2 derives the value's AES key and a commitment from the data key with HKDF-SHA256 (RFC 5869) over a random
 * per-value salt; the commitment is stored in the envelope and compared, in constant time, BEFORE decrypting.
 * This module is pure (no node:crypto) so the runtime's WebCrypto opener uses the same constants and checks.
 */
export const saltLength = 32
export const commitLength = 32
/** HKDF `info` of the value's AES-256-GCM key. */
export const keyInfo: Uint8Array = new TextEncoder().encode('kms-secrets v2 AES-256-GCM key')
/** HKDF `info` of the key commitment. */
export const commitInfo: Uint8Array = new TextEncoder().encode('kms-secrets v2 key commitment')

/** Whether an envelope version carries a key commitment (v2 and later, mode "envelope"). */
export function isCommitted(env: AnyEnvelope): boolean {
  return env.mode === 'project' || (env.mode === 'envelope' && env.kmsSecrets >= 2)
}

/** Constant-time equality: the time taken does not depend on where the bytes differ. */
export function equalConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

/** ERR_ENVELOPE_COMMITMENT: the data key KMS returned is not the one the value was sealed with. */
export function commitmentError(file?: string): KmsSecretsError {
  const where = file === undefined ? '' : ` of ${file}`
  return new KmsSecretsError(
    'ERR_ENVELOPE_COMMITMENT',
    `The data key of the sealed value${where} does not match its key commitment.`,
    {
      hint: 'kms.blob was swapped for another data key (or salt/commit edited); restore the file from git or re-seal it.',
      file,
    },
  )
}

/**
 * Precondition of every open: KMS Decrypt reports the CMK that wrapped the blob; it must be the envelope's
 * `kms.keyId` (already the resolved KeyId, never an alias). An empty `kms.keyId` (direct mode, CMK unknown when
 * wrapping) is not checked here; the plugin refuses it when CMKs are configured.
 */
export function checkReportedKeyId(env: AnyEnvelope, reported: string, file?: string): void {
  if (env.kms.keyId === '' || reported === env.kms.keyId) return
  const what = file === undefined ? 'A sealed envelope' : file
  throw new KmsSecretsError(
    'ERR_ENVELOPE_KEY',
    `${what} names CMK ${env.kms.keyId}, but KMS decrypted its kms.blob with CMK ${reported || '(not reported)'}.`,
    {
      hint: 'kms.keyId or kms.blob was edited; restore the file from git, or re-seal it with `kms-secrets encrypt`.',
      file,
      keyId: env.kms.keyId,
    },
  )
}
