/** Startup / configuration failures of local-kms itself (never sent over the wire; the CLI prints them). */
export const localKmsErrorCodes = [
  'ERR_LOCAL_KMS_OPTIONS',
  'ERR_LOCAL_KMS_SEED',
  'ERR_LOCAL_KMS_DATA_DIR',
  'ERR_LOCAL_KMS_LOCKED',
] as const

export type LocalKmsErrorCode = (typeof localKmsErrorCodes)[number]

/** What failed and where, plus a `hint` saying what to do. Messages never carry key material or credentials. */
export class LocalKmsError extends Error {
  readonly code: LocalKmsErrorCode
  readonly hint: string | undefined

  constructor(code: LocalKmsErrorCode, message: string, hint?: string) {
    super(message)
    this.name = 'LocalKmsError'
    this.code = code
    this.hint = hint
  }
}

export function isLocalKmsError(value: unknown): value is LocalKmsError {
  return value instanceof LocalKmsError
}
