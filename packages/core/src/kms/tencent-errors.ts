import { type ErrorCode, isKmsSecretsError, KmsSecretsError } from '../errors.js'

/** Error codes worth retrying with backoff. */
const retryable: ReadonlySet<string> = new Set([
  'ERR_KMS_THROTTLED',
  'ERR_KMS_UNAVAILABLE',
  'ERR_KMS_NETWORK',
  'ERR_KMS_TIMEOUT',
])

/** True for KMS errors a retry with backoff may fix: throttling, 5xx/InternalError, network, timeout. */
export function isRetryableKmsError(e: unknown): boolean {
  return isKmsSecretsError(e) && retryable.has(e.code)
}

/** Message thrown by our credential wrapper; the SDK re-wraps it, so it is recognised by text. */
export const noCredentialsMessage = 'kms-secrets: no Tencent Cloud credentials found'

export interface TencentCallInfo {
  action: string
  keyId?: string | undefined
  /** Our per-call timeout fired. */
  timedOut?: boolean
  /** The caller's AbortSignal fired. */
  aborted?: boolean
  /** Strings of the request that must never appear in a message (redacted if the server echoes them). */
  secrets?: string[]
}

/** Tencent `Error.Code` (API 3.0 common + KMS codes, see reference §3) → our code. */
export function codeForKmsCode(code: string): ErrorCode {
  if (code.startsWith('AuthFailure') || code.startsWith('UnauthorizedOperation')) return 'ERR_KMS_UNAUTHORIZED'
  if (code === 'ResourceUnavailable.CmkNotFound' || code === 'InvalidParameterValue.InvalidKeyId')
    return 'ERR_KMS_KEY_NOT_FOUND'
  if (code === 'ResourceNotFound') return 'ERR_KMS_KEY_NOT_FOUND'
  if (code === 'ResourceUnavailable.CmkDisabled' || code === 'ResourceUnavailable.KeyDisabled')
    return 'ERR_KMS_KEY_DISABLED'
  if (code.startsWith('ResourceUnavailable')) return 'ERR_KMS_KEY_STATE'
  if (
    code === 'InvalidParameterValue.InvalidCiphertext' ||
    code === 'InvalidParameter.DecryptMaterialError' ||
    code === 'FailedOperation.DecryptError'
  ) {
    return 'ERR_KMS_INVALID_CIPHERTEXT'
  }
  if (code.startsWith('RequestLimitExceeded')) return 'ERR_KMS_THROTTLED'
  if (code.startsWith('InternalError') || code === 'ServiceUnavailable') return 'ERR_KMS_UNAVAILABLE'
  if (code === 'UnsupportedOperation.ServiceTemporaryUnavailable') return 'ERR_KMS_UNAVAILABLE'
  if (code.startsWith('InvalidParameter') || code === 'MissingParameter' || code === 'UnknownParameter') {
    return 'ERR_KMS_INVALID_PARAMETER'
  }
  return 'ERR_KMS_REQUEST'
}

const hints: Partial<Record<ErrorCode, string>> = {
  ERR_KMS_UNAUTHORIZED:
    'Check the credentials (TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY, profile or CVM role), the clock (±5 min), and that the identity may call this action on this key.',
  ERR_KMS_KEY_NOT_FOUND: 'Check the KeyId/alias and the region (TENCENTCLOUD_REGION).',
  ERR_KMS_KEY_DISABLED: 'Enable the key (`kms-secrets keys enable <KeyId>`) or re-seal with another key.',
  ERR_KMS_KEY_STATE:
    'The key is pending deletion, pending import or archived; check it with `kms-secrets keys describe`.',
  ERR_KMS_INVALID_CIPHERTEXT:
    'The wrapped key was damaged, made by another KMS/region, or its encryption context differs; restore the file from git.',
  ERR_KMS_THROTTLED: 'KMS rate limit reached; retry with backoff or raise the quota.',
  ERR_KMS_UNAVAILABLE: 'KMS is temporarily unavailable; retry later.',
  ERR_KMS_NETWORK: 'Check network access to the KMS endpoint (KMS_SECRETS_ENDPOINT, proxies, firewall).',
  ERR_KMS_TIMEOUT: 'KMS did not answer in time; check the network or raise the timeout.',
  ERR_KMS_INVALID_PARAMETER: 'A request field was rejected by KMS; check the KeyId and the encryption context.',
  ERR_KMS_REQUEST: 'Check the KMS endpoint and the request; see the Tencent error code.',
}

// V8's JSON.parse errors quote ~10 characters around the fault (`…"laintext":AaAyPAxyjh"… is not valid JSON`);
// in a Decrypt response those can be data-key or value bytes.
const jsonSnippetRE = /(?:Unexpected token [^,]*, )?(?:\.\.\.)?"[\s\S]*?"(?:\.\.\.)? is not valid JSON/g

/** Drops response fragments quoted by a JSON parse error from a transport error message. */
export function scrubJsonSnippets(message: string): string {
  return message.replace(jsonSnippetRE, '(response withheld) is not valid JSON')
}

function clean(message: unknown, secrets: string[] = []): string {
  let text = typeof message === 'string' ? scrubJsonSnippets(message) : ''
  for (const s of secrets) if (s.length >= 4) text = text.split(s).join('[redacted]')
  return text.replace(/\s+/g, ' ').slice(0, 300)
}

/** The SDK's JSON parser quotes part of the response body, which may hold a data key: never pass its text on. */
function isBodyParseError(e: Record<string, unknown>): boolean {
  const message = typeof e.message === 'string' ? e.message : ''
  return e.type === 'invalid-json' || e instanceof TypeError || /invalid json|Unexpected token|JSON/i.test(message)
}

function classifyNoCode(e: Record<string, unknown>, info: TencentCallInfo): ErrorCode {
  const message = typeof e.message === 'string' ? e.message : ''
  if (message === noCredentialsMessage) return 'ERR_KMS_CREDENTIALS'
  if (info.timedOut || /network timeout|timed? ?out|ETIMEDOUT/i.test(message)) return 'ERR_KMS_TIMEOUT'
  if (info.aborted) return 'ERR_KMS_REQUEST'
  const httpCode = typeof e.httpCode === 'number' ? e.httpCode : undefined
  if (httpCode !== undefined) {
    if (httpCode === 429) return 'ERR_KMS_THROTTLED'
    return httpCode >= 500 ? 'ERR_KMS_UNAVAILABLE' : 'ERR_KMS_REQUEST'
  }
  // A 200 that is not a Tencent JSON response (gateway page, truncated body): treat like a transient outage.
  if (isBodyParseError(e)) return 'ERR_KMS_UNAVAILABLE'
  return 'ERR_KMS_NETWORK'
}

/**
 * Maps anything thrown by the Tencent SDK to a KmsSecretsError, checking fields (`code`, `httpCode`, `requestId`),
 * never classes (minifiers rename them). Keeps Tencent's Code and RequestId; never includes the request body.
 */
export function mapTencentError(e: unknown, info: TencentCallInfo): KmsSecretsError {
  if (isKmsSecretsError(e)) return e
  const err = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as Record<string, unknown>
  const kmsCode = typeof err.code === 'string' && err.code !== '' ? err.code : undefined
  const requestId = typeof err.requestId === 'string' && err.requestId !== '' ? err.requestId : undefined
  const code = kmsCode === undefined ? classifyNoCode(err, info) : codeForKmsCode(kmsCode)
  const key = info.keyId ? ` (key ${info.keyId})` : ''
  const what = kmsCode ?? (typeof err.httpCode === 'number' ? `HTTP ${err.httpCode}` : code)
  const quiet = code === 'ERR_KMS_CREDENTIALS' || (kmsCode === undefined && isBodyParseError(err))
  const detail = quiet ? '' : clean(err.message, info.secrets)
  const message = `KMS ${info.action}${key} failed: ${what}${detail ? ` — ${detail}` : ''}${requestId ? ` [RequestId ${requestId}]` : ''}.`
  const hint =
    code === 'ERR_KMS_CREDENTIALS'
      ? 'Provide credentials: env TENCENTCLOUD_SECRET_ID + TENCENTCLOUD_SECRET_KEY (+ TENCENTCLOUD_SESSION_TOKEN), a profile in ~/.tencentcloud/credentials, or a CVM/TKE role.'
      : hints[code]
  return new KmsSecretsError(code, message, { hint, kmsCode, requestId, keyId: info.keyId })
}
