import { type ErrorCode, KmsSecretsError } from '@kms-secrets/core/errors'
import { codeForKmsCode } from '@kms-secrets/core/open'

// Tencent's Error.Code → our code: core's codeForKmsCode, the table the SDK-based provider uses too.
const restore = 'restore the file from git or re-seal it'
const hints: Partial<Record<ErrorCode, string>> = {
  ERR_KMS_UNAUTHORIZED: 'Check the credentials, the clock, and that they may call kms:Decrypt on this key.',
  ERR_KMS_KEY_NOT_FOUND: 'Check the KeyId and TENCENTCLOUD_REGION.',
  ERR_KMS_KEY_DISABLED: `Enable the key (\`kms-secrets keys enable\`) or ${restore} with another key.`,
  ERR_KMS_KEY_STATE: 'The key is pending deletion or import: see `kms-secrets keys describe`.',
  ERR_KMS_INVALID_CIPHERTEXT: `The wrapped key or its context was changed, or is from another region: ${restore}.`,
  ERR_KMS_INVALID_PARAMETER: 'Check that kms.keyId is the CMK of kms-secrets.json and its KeyUsage fits kms.wrap.',
}

const retryable: ReadonlySet<string> = new Set([
  'ERR_KMS_THROTTLED',
  'ERR_KMS_UNAVAILABLE',
  'ERR_KMS_NETWORK',
  'ERR_KMS_TIMEOUT',
])

/** Throttling, 5xx/InternalError, network and timeouts: worth a retry with backoff. */
export function isRetryable(e: unknown): boolean {
  return e instanceof Error && retryable.has((e as { code?: string }).code ?? '')
}

/** A KMS API error (HTTP 200 + Response.Error). Tencent's Message is not forwarded: it may quote request fields. */
export function apiError(kmsCode: string, requestId: string | undefined, action = 'Decrypt'): KmsSecretsError {
  const code = codeForKmsCode(kmsCode)
  const id = requestId ? ` [RequestId ${requestId}]` : ''
  return new KmsSecretsError(code, `KMS ${action} failed: ${kmsCode}${id}.`, {
    hint: hints[code] ?? 'Look up the Tencent error code; check KMS_SECRETS_ENDPOINT.',
    kmsCode,
    requestId,
  })
}

/** A transport failure (no Tencent Code): what happened, never a response body. */
export function transportError(code: ErrorCode, what: string, action = 'Decrypt'): KmsSecretsError {
  return new KmsSecretsError(code, `KMS ${action} failed: ${what}.`, {
    hint: 'Check network access to KMS (region, KMS_SECRETS_ENDPOINT, proxy, firewall).',
  })
}
