/**
 * `@kms-secrets/core/open`: only what opening a sealed envelope needs (decode, AAD, encryption context,
 * AES-GCM open, payload decode, the Tencent provider, errors). No parsers, sealing or leak scanner.
 */
export type { AeadCiphertext } from './crypto/aead'
export { aesGcmOpen, ivLength, keyLength, tagLength, zero } from './crypto/aead'
export {
  contextMarkerKey,
  encryptionContextFor,
  envelopeAad,
  envelopeEncryptionContext,
  maxEncryptionContextLength,
} from './envelope/aad'
export { decodeEnvelope, encodeEnvelope, isEnvelopeText } from './envelope/codec'
export type {
  DirectEnvelope,
  Envelope,
  EnvelopeKms,
  SealedEnvelope,
  SecretFormat,
  Shape,
} from './envelope/types'
export { ENVELOPE_ALG, ENVELOPE_MARKER, ENVELOPE_VERSION } from './envelope/types'
export { validateEnvelope } from './envelope/validate'
export type { ErrorCode, KmsSecretsErrorDetails } from './errors'
export { assertThat, errorCodes, isKmsSecretsError, KmsSecretsError } from './errors'
export { createTencentProvider } from './kms/tencent'
export type { ResolvedEndpoint } from './kms/tencent-endpoint'
export { isLoopbackHost, resolveTencentEndpoint, tencentKmsHost } from './kms/tencent-endpoint'
export { codeForKmsCode, isRetryableKmsError, mapTencentError } from './kms/tencent-errors'
export type { TencentCredential, TencentProviderOptions } from './kms/tencent-transport'
export { defaultTencentRegion, defaultTimeoutMs, tencentKmsVersion } from './kms/tencent-transport'
export type * from './kms/types'
export type { OpenOptions } from './open/open-envelope'
export { openEnvelope } from './open/open-envelope'
export { decodePayload } from './open/payload'
