import { isKmsSecretsError, KmsSecretsError } from '@kms-secrets/core/errors'
import { DecryptFailure, type DecryptTarget, decryptError, scrubMessage } from './retry.js'

/** Every error leaving `open` is a KmsSecretsError that names the file; foreign messages are never forwarded. */
export function toOpenError(e: unknown, target: DecryptTarget): KmsSecretsError {
  if (e instanceof DecryptFailure) return decryptError(e.error, target, e.attempts, e.exhausted)
  if (isKmsSecretsError(e)) {
    if (e.file === target.file) return e
    return new KmsSecretsError(e.code, `Could not open ${target.file}: ${scrubMessage(e.message)}`, {
      hint: e.hint,
      kmsCode: e.kmsCode,
      requestId: e.requestId,
      file: target.file,
      keyId: e.keyId ?? (target.keyId || undefined),
    })
  }
  const name = e instanceof Error ? e.name : typeof e
  return new KmsSecretsError('ERR_INTERNAL', `Opening ${target.file} failed with an unexpected ${name}.`, {
    hint: 'This is a bug in kms-secrets; please report it (the original message is withheld as it may hold data).',
    file: target.file,
  })
}
