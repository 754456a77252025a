import { type ErrorCode, KmsSecretsError } from '@kms-secrets/core/errors'

/**
 * Tencent `Error.Code` of a Decrypt (https://cloud.tencent.com/document/api/573/34420 and the API 3.0 common codes)
 * or of AsymmetricRsaDecrypt/AsymmetricSm2Decrypt (573/54271, 573/54272) → our code (`ERR_KMS_<name>`), by the
 * longest matching `.`-prefix; anything else is ERR_KMS_REQUEST, keeping Tencent's Code and RequestId.
 */
const table =
  'UNAUTHORIZED:AuthFailure,UnauthorizedOperation;KEY_NOT_FOUND:ResourceUnavailable.CmkNotFound,InvalidParameterValue.InvalidKeyId;' +
  'KEY_DISABLED:ResourceUnavailable.CmkDisabled;KEY_STATE:ResourceUnavailable;INVALID_CIPHERTEXT:InvalidParameterValue.InvalidCiphertext,' +
  'InvalidParameter.DecryptMaterialError,FailedOperation.DecryptError;THROTTLED:RequestLimitExceeded;UNAVAILABLE:InternalError,' +
  'ServiceUnavailable,UnsupportedOperation.ServiceTemporaryUnavailable;INVALID_PARAMETER:InvalidParameterValue.InvalidKeyUsage,' +
  'InvalidParameter,InvalidParameterValue,MissingParameter'
const byCode = new Map<string, ErrorCode>()
for (const group of table.split(';')) {
  const [ours, theirs] = group.split(':') as [string, string]
  for (const code of theirs.split(',')) byCode.set(code, `ERR_KMS_${ours}` as ErrorCode)
}

export function codeForKmsCode(code: string): ErrorCode {
  for (let c = code; c !== ''; c = c.slice(0, Math.max(0, c.lastIndexOf('.')))) {
    const hit = byCode.get(c)
    if (hit !== undefined) return hit
  }
  return 'ERR_KMS_REQUEST'
}

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
