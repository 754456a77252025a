import { isKmsSecretsError, KmsSecretsError } from '@kms-secrets/core'

/**
 * The error a bundler shows: code, message and hint in the message (bundlers print only `message`), the typed
 * fields kept (`code`, `hint`, `file`) so programmatic callers can still branch on the code.
 */
export function toBundlerError(error: unknown): unknown {
  if (!isKmsSecretsError(error)) return error
  const hint = error.hint === undefined ? '' : `\n${error.hint}`
  return new KmsSecretsError(error.code, `[${error.code}] ${error.message}${hint}`, {
    hint: error.hint,
    file: error.file,
    keyId: error.keyId,
    kmsCode: error.kmsCode,
    requestId: error.requestId,
    cause: error,
  })
}

/** Plain text of an error for bundlers that take strings (esbuild messages, webpack compilation errors). */
export function errorText(error: unknown): string {
  const e = toBundlerError(error)
  return e instanceof Error ? e.message : String(e)
}
