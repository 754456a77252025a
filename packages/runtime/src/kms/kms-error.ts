import { type ErrorCode, KmsSecretsError, type KmsSecretsErrorDetails } from '@kms-secrets/core/errors'
import { codeForKmsCode } from '@kms-secrets/core/open'

// Tencent's Error.Code → our code: core's codeForKmsCode, the table the SDK-based provider uses too.
const restore = 'restore the file from git or re-seal it'
// Keyed by the code without its `ERR_KMS_` prefix.
const hints: Record<string, string> = {
  UNAUTHORIZED: 'Check the credentials, the clock, and the kms:Decrypt right on this key.',
  KEY_NOT_FOUND: 'Check the KeyId and TENCENTCLOUD_REGION.',
  KEY_DISABLED: `Enable the key (\`kms-secrets keys enable\`) or ${restore} with another key.`,
  KEY_STATE: 'The key is pending deletion or import: see `kms-secrets keys describe`.',
  INVALID_CIPHERTEXT: `The wrapped key or its context changed, or is from another region: ${restore}.`,
  INVALID_PARAMETER: 'Check that kms.keyId is the CMK of kms-secrets.json and fits kms.wrap.',
}

/**
 * The hint of every transport failure, timeout and exhausted retry budget (ERR_KMS_NETWORK, _TIMEOUT, _UNAVAILABLE,
 * and HTTP errors): one text, so the inlined runtime carries it once.
 */
export const networkHint =
  'Check that this host reaches KMS (region, KMS_SECRETS_ENDPOINT, proxy, firewall) or raise KMS_SECRETS_TIMEOUT_MS / _MAX_ATTEMPTS.'

const retryable = /^ERR_KMS_(?:THROTTLED|UNAVAILABLE|NETWORK|TIMEOUT)$/

/** Throttling, 5xx/InternalError, network and timeouts: worth a retry with backoff. */
export function isRetryable(e: unknown): boolean {
  return e instanceof Error && retryable.test(String((e as { code?: unknown }).code))
}

/** A KMS API error (HTTP 200 + Response.Error). Tencent's Message is not forwarded: it may quote request fields. */
export function apiError(kmsCode: string, requestId: string | undefined, action: string): KmsSecretsError {
  const code = codeForKmsCode(kmsCode)
  const id = requestId ? ` [RequestId ${requestId}]` : ''
  return transportError(code, kmsCode + id, action, {
    hint: hints[code.slice(8)] ?? 'Look up the Tencent error code; check KMS_SECRETS_ENDPOINT.',
    kmsCode,
    requestId,
  })
}

/** A transport failure (no Tencent Code): what happened, never a response body. */
export function transportError(
  code: ErrorCode,
  what: string,
  action: string,
  details: KmsSecretsErrorDetails = { hint: networkHint },
): KmsSecretsError {
  return new KmsSecretsError(code, `KMS ${action} failed: ${what}.`, details)
}
