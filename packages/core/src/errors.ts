/**
 * The one error class of kms-secrets. Every package re-uses it; tests assert on `code`, never on message text.
 * Messages say what failed, which file/key/action it concerns, and `hint` says what to do next; each message starts
 * with its code (`[ERR_X] …`).
 * No message, hint or field ever carries a plaintext value, a data key or a credential.
 */
export const errorCodes = [
  // envelope / format
  'ERR_ENVELOPE_PARSE',
  'ERR_ENVELOPE_VERSION',
  'ERR_ENVELOPE_FIELD',
  'ERR_ENVELOPE_AUTH',
  'ERR_ENVELOPE_MISMATCH',
  'ERR_ENVELOPE_ALREADY_SEALED',
  'ERR_ENVELOPE_COMMITMENT',
  'ERR_ENVELOPE_KEY',
  'ERR_ENVELOPE_CONTEXT',
  // secret files
  'ERR_SECRET_PARSE',
  'ERR_SECRET_FORMAT',
  'ERR_SECRET_TOO_LARGE',
  'ERR_CONTEXT_INVALID',
  // project key (kms-secrets.json)
  'ERR_PROJECT_KEY',
  'ERR_PROJECT_KEY_EXISTS',
  // KMS
  'ERR_KMS_CONFIG',
  'ERR_KMS_CREDENTIALS',
  'ERR_KMS_UNAUTHORIZED',
  'ERR_KMS_KEY_NOT_FOUND',
  'ERR_KMS_KEY_DISABLED',
  'ERR_KMS_KEY_STATE',
  'ERR_KMS_INVALID_CIPHERTEXT',
  'ERR_KMS_INVALID_PARAMETER',
  'ERR_KMS_THROTTLED',
  'ERR_KMS_UNAVAILABLE',
  'ERR_KMS_NETWORK',
  'ERR_KMS_TIMEOUT',
  'ERR_KMS_DECRYPT',
  'ERR_KMS_ENCRYPT',
  'ERR_KMS_REQUEST',
  // runtime
  'ERR_RUNTIME_BUILD_PHASE',
  'ERR_RUNTIME_WORKER',
  // build / plugin
  'ERR_PLUGIN_PLAINTEXT_FORBIDDEN',
  'ERR_PLUGIN_RAW_IMPORT',
  'ERR_PLUGIN_CLIENT_BUNDLE',
  'ERR_PLUGIN_LEAK',
  'ERR_PLUGIN_OUTPUT_FORMAT',
  'ERR_PLUGIN_OPTIONS',
  // cli
  'ERR_CLI_USAGE',
  'ERR_CLI_IO',
  'ERR_CLI_EDITOR',
  'ERR_CLI_UNSAFE',
  'ERR_SCAN_LEAK',
  // broken invariant: the only kind that says "please report"
  'ERR_INTERNAL',
] as const

export type ErrorCode = (typeof errorCodes)[number]

export interface KmsSecretsErrorDetails {
  /** What to do next. */
  hint?: string
  /** Tencent's `Error.Code`, when the failure came from KMS. */
  kmsCode?: string
  /** Tencent's `RequestId`, when the request reached KMS. */
  requestId?: string
  /** The secret file concerned (a path, never its content). */
  file?: string
  /** The CMK concerned. */
  keyId?: string
  cause?: unknown
}

/** `[ERR_…] ` as every message starts; also found inside a message that embeds another error's message. */
const codeTagRE = /\[ERR_[A-Z_]+\] /g

/**
 * `[ERR_X] message`: frameworks (SvelteKit, Astro) and bundlers log only `message`/`stack`, so the code must be in
 * the message itself. Tags already in the text (a re-wrapped error's message) are dropped, so it appears once.
 */
function withCode(code: ErrorCode, message: string): string {
  return `[${code}] ${message.replace(codeTagRE, '')}`
}

/** The message without its leading `[ERR_X] ` (for printers that show the code elsewhere, like the CLI). */
export function messageWithoutCode(e: { message: string }): string {
  return e.message.replace(codeTagRE, '')
}

export class KmsSecretsError extends Error {
  // `declare`: assigned in the constructor only, so the minified class carries no field declarations (runtime weight).
  declare readonly code: ErrorCode
  declare readonly hint: string | undefined
  declare readonly kmsCode: string | undefined
  declare readonly requestId: string | undefined
  declare readonly file: string | undefined
  declare readonly keyId: string | undefined

  constructor(code: ErrorCode, message: string, details: KmsSecretsErrorDetails | string = {}) {
    const d: KmsSecretsErrorDetails = typeof details === 'string' ? { hint: details } : details
    super(withCode(code, message), d.cause === undefined ? undefined : { cause: d.cause })
    this.code = code
    this.hint = d.hint
    this.kmsCode = d.kmsCode
    this.requestId = d.requestId
    this.file = d.file
    this.keyId = d.keyId
    this.name = 'KmsSecretsError'
  }

  /** True for broken invariants (bugs), false for user errors. */
  get internal(): boolean {
    return this.code === 'ERR_INTERNAL'
  }
}

/** Brand check that survives minifiers renaming the class and duplicated copies of this module. */
export function isKmsSecretsError(e: unknown): e is KmsSecretsError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { name?: unknown }).name === 'KmsSecretsError' &&
    typeof (e as { code?: unknown }).code === 'string'
  )
}

/** Typed precondition helper: `assertThat(cond, () => new KmsSecretsError(...))`. */
export function assertThat(cond: unknown, error: () => KmsSecretsError): asserts cond {
  if (!cond) throw error()
}
