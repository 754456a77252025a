/**
 * `@kms-secrets/core/open`: only what opening a sealed envelope needs (decode, AAD, encryption context,
 * AES-GCM open, payload decode, errors, the KmsProvider types). No parsers, sealing, leak scanner or KMS transport:
 * the runtime signs and sends its one Decrypt itself (no Tencent SDK in a user's bundle); the SDK-based provider is
 * in the package root (`createTencentProvider`). Nothing here imports @hpke/core (its modules have side effects a
 * bundler keeps, ~5 KiB in a user's server bundle): `openEnvelope` and the HPKE helpers are in the package root; the
 * runtime has its own WebCrypto HPKE receiver.
 */
export type { AeadCiphertext } from './crypto/aead.js'
export { aesGcmOpen, authError, ivLength, keyLength, tagLength, zero } from './crypto/aead.js'
export {
  contextMarkerKey,
  encryptionContextFor,
  envelopeAad,
  envelopeEncryptionContext,
  maxEncryptionContextLength,
  projectEncryptionContext,
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
  AnyEnvelope,
  DirectEnvelope,
  Envelope,
  EnvelopeKms,
  EnvelopeVersion,
  ProjectEnvelope,
  ProjectEnvelopeKms,
  SealedEnvelope,
  SecretFormat,
  Shape,
} from './envelope/types.js'
export { ENVELOPE_ALG, ENVELOPE_MARKER, ENVELOPE_VERSION, ENVELOPE_VERSIONS } from './envelope/types.js'
export { validateAnyEnvelope, validateEnvelope } from './envelope/validate.js'
export type { ErrorCode, KmsSecretsErrorDetails } from './errors.js'
export { assertThat, errorCodes, isKmsSecretsError, KmsSecretsError } from './errors.js'
export { codeForKmsCode, scrubJsonSnippets } from './kms/tencent-errors.js'
export type * from './kms/types.js'
export type { NodeCryptoPrimitives, NodeKey } from './open/node-cipher.js'
export { hkdfCommitted, nodeCipher } from './open/node-cipher.js'
export { decodePayload } from './open/payload.js'
export type {
  DerivedKey,
  KeyHandle,
  OpenCipher,
  Opener,
  OpenMaterials,
  OpenRulesOptions,
  SealedBytes,
} from './open/rules.js'
export { importDataKey, projectUnsupportedError, runOpen } from './open/rules.js'
export type { WebKey } from './open/web-cipher.js'
export { webCipher } from './open/web-cipher.js'
export type { ProjectKeyUsage, ProjectWrap } from './project/constants.js'
export {
  fingerprintRE,
  keyUsageOfWrap,
  PROJECT_ALG,
  PROJECT_FILE_MARKER,
  PROJECT_FILE_VERSION,
  projectContextKey,
  projectExporterContext,
  projectFileName,
  projectFingerprintText,
  projectHpkeInfo,
  projectPrivateKeyLength,
  projectPublicKeyLength,
  projectSuite,
  projectWraps,
} from './project/constants.js'
export type { ProjectKeyCache, WrappedProjectKey } from './project/unwrap.js'
export { createProjectKeyCache, unwrapProjectKey } from './project/unwrap.js'
export { fromBase64Strict, toBase64 } from './util/base64.js'
export { canonicalJson } from './util/canonical-json.js'
