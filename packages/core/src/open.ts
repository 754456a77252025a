/**
 * `@kms-secrets/core/open`: only what opening a sealed envelope needs (decode, AAD, encryption context,
 * AES-GCM open, payload decode, the Tencent provider, errors). No parsers, sealing or leak scanner.
 */
export type { AeadCiphertext } from './crypto/aead.js'
export { aesGcmOpen, authError, ivLength, keyLength, tagLength, zero } from './crypto/aead.js'
export {
  contextMarkerKey,
  encryptionContextFor,
  envelopeAad,
  envelopeEncryptionContext,
  maxEncryptionContextLength,
} from './envelope/aad.js'
export { decodeEnvelope, encodeEnvelope, isEnvelopeText } from './envelope/codec.js'
export {
  checkReportedKeyId,
  commitInfo,
  commitLength,
  commitmentError,
  equalConstantTime,
  isCommitted,
  keyInfo,
  saltLength,
} from './envelope/commitment.js'
export type {
  DirectEnvelope,
  Envelope,
  EnvelopeKms,
  EnvelopeVersion,
  SealedEnvelope,
  SecretFormat,
  Shape,
} from './envelope/types.js'
export { ENVELOPE_ALG, ENVELOPE_MARKER, ENVELOPE_VERSION, ENVELOPE_VERSIONS } from './envelope/types.js'
export { validateEnvelope } from './envelope/validate.js'
export type { ErrorCode, KmsSecretsErrorDetails } from './errors.js'
export { assertThat, errorCodes, isKmsSecretsError, KmsSecretsError } from './errors.js'
export { createTencentProvider } from './kms/tencent.js'
export type { ResolvedEndpoint } from './kms/tencent-endpoint.js'
export { isLoopbackHost, resolveTencentEndpoint, tencentKmsHost } from './kms/tencent-endpoint.js'
export { codeForKmsCode, isRetryableKmsError, mapTencentError, scrubJsonSnippets } from './kms/tencent-errors.js'
export type { TencentCredential, TencentProviderOptions } from './kms/tencent-transport.js'
export { defaultTencentRegion, defaultTimeoutMs, tencentKmsVersion } from './kms/tencent-transport.js'
export type * from './kms/types.js'
export type { OpenOptions } from './open/open-envelope.js'
export { openEnvelope } from './open/open-envelope.js'
export { decodePayload } from './open/payload.js'
