import { type ErrorCode, KmsSecretsError } from '@kms-secrets/core/errors'

/**
 * Tencent `Error.Code` of a Decrypt (https://cloud.tencent.com/document/api/573/34420 and the API 3.0 common codes)
 * or of AsymmetricRsaDecrypt/AsymmetricSm2Decrypt (573/54271, 573/54272: FailedOperation.DecryptError,
 * InvalidParameterValue.InvalidKeyUsage, ResourceUnavailable.CmkStateNotSupport) → our code. Anything else is
 * ERR_KMS_REQUEST, keeping Tencent's Code and RequestId.
 */
const byPrefix: [string, ErrorCode][] = [
  ['AuthFailure', 'ERR_KMS_UNAUTHORIZED'],
  ['UnauthorizedOperation', 'ERR_KMS_UNAUTHORIZED'],
  ['ResourceUnavailable.CmkNotFound', 'ERR_KMS_KEY_NOT_FOUND'],
  ['InvalidParameterValue.InvalidKeyId', 'ERR_KMS_KEY_NOT_FOUND'],
  ['ResourceUnavailable.CmkDisabled', 'ERR_KMS_KEY_DISABLED'],
  ['ResourceUnavailable', 'ERR_KMS_KEY_STATE'],
  ['InvalidParameterValue.InvalidCiphertext', 'ERR_KMS_INVALID_CIPHERTEXT'],
  ['InvalidParameterValue.InvalidKeyUsage', 'ERR_KMS_INVALID_PARAMETER'],
  ['InvalidParameter.DecryptMaterialError', 'ERR_KMS_INVALID_CIPHERTEXT'],
  ['FailedOperation.DecryptError', 'ERR_KMS_INVALID_CIPHERTEXT'],
  ['RequestLimitExceeded', 'ERR_KMS_THROTTLED'],
  ['InternalError', 'ERR_KMS_UNAVAILABLE'],
  ['ServiceUnavailable', 'ERR_KMS_UNAVAILABLE'],
  ['UnsupportedOperation.ServiceTemporaryUnavailable', 'ERR_KMS_UNAVAILABLE'],
  ['InvalidParameter', 'ERR_KMS_INVALID_PARAMETER'],
  ['InvalidParameterValue', 'ERR_KMS_INVALID_PARAMETER'],
  ['MissingParameter', 'ERR_KMS_INVALID_PARAMETER'],
]

export function codeForKmsCode(code: string): ErrorCode {
  return byPrefix.find(([p]) => code === p || code.startsWith(`${p}.`))?.[1] ?? 'ERR_KMS_REQUEST'
}

const hints: Partial<Record<ErrorCode, string>> = {
  ERR_KMS_UNAUTHORIZED:
    'Check the credentials, the clock (±5 min), and that the identity may call kms:Decrypt on this key.',
  ERR_KMS_KEY_NOT_FOUND: 'Check the KeyId and the region (TENCENTCLOUD_REGION).',
  ERR_KMS_KEY_DISABLED: 'Enable the key (`kms-secrets keys enable <KeyId>`) or re-seal with another key.',
  ERR_KMS_KEY_STATE: 'The key is pending deletion or import; check it with `kms-secrets keys describe`.',
  ERR_KMS_INVALID_CIPHERTEXT:
    'The wrapped key was damaged, made by another KMS/region, or its encryption context differs; restore the file from git.',
  ERR_KMS_INVALID_PARAMETER:
    'KMS rejected a request field: check that kms.keyId is the CMK of kms-secrets.json and that its KeyUsage fits kms.wrap.',
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
    hint: hints[code] ?? 'See the Tencent error code; check the KMS endpoint and the request.',
    kmsCode,
    requestId,
  })
}

/** A transport failure (no Tencent Code): what happened, never a response body. */
export function transportError(code: ErrorCode, what: string, action = 'Decrypt'): KmsSecretsError {
  return new KmsSecretsError(code, `KMS ${action} failed: ${what}.`, {
    hint: 'Check network access to the KMS endpoint (region, KMS_SECRETS_ENDPOINT, proxy, firewall).',
  })
}
