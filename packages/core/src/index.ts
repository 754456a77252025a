/** `@kms-secrets/core`: everything — the open path plus sealing, secret-file parsers and the leak scanner. */

export { aesGcmSeal } from './crypto/aead.js'
export type { CommittedKey } from './crypto/commit.js'
export { deriveCommittedKey } from './crypto/commit.js'
export { isSealedEnvelopeText, orderEnvelope } from './envelope/codec.js'
export { isShape, maxShapeDepth } from './envelope/shape-check.js'
export { createTencentProvider } from './kms/tencent.js'
export type { KmsKeyMetadata, TencentAdmin } from './kms/tencent-admin.js'
export { tencentAdmin } from './kms/tencent-admin.js'
export type { ResolvedEndpoint } from './kms/tencent-endpoint.js'
export { isLoopbackHost, resolveTencentEndpoint, tencentKmsHost } from './kms/tencent-endpoint.js'
export { codeForKmsCode, isRetryableKmsError, mapTencentError } from './kms/tencent-errors.js'
export type { TencentCredential, TencentProviderOptions } from './kms/tencent-transport.js'
export { defaultTencentRegion, defaultTimeoutMs, tencentKmsVersion } from './kms/tencent-transport.js'
export type { LeakEncoding } from './leak/encodings.js'
export { encodeNeedles } from './leak/encodings.js'
export type { Leaf } from './leak/leaves.js'
export { collectLeaves } from './leak/leaves.js'
export type { LeakHit, LeakScanner } from './leak/scanner.js'
export { createLeakScanner } from './leak/scanner.js'
export type { OpenOptions } from './open/open-envelope.js'
export { openEnvelope } from './open/open-envelope.js'
export * from './open.js'
export type { CreateProjectKeyOptions, RewrapProjectKeyOptions } from './project/create.js'
export { createProjectKey, projectEnvelopeKms, rewrapProjectKey, unlockProjectKey } from './project/create.js'
export type { ProjectKey } from './project/file.js'
export {
  decodeProjectKey,
  encodeProjectKey,
  findProjectKey,
  projectKeyFingerprint,
  readProjectKey,
  validateProjectKey,
} from './project/file.js'
export { createProjectSuite, exportRecipientDataKey, exportSenderDataKey } from './project/hpke.js'
export type { ProjectSealOptions } from './project/seal.js'
export { sealWithProjectKey } from './project/seal.js'
export { wrapWithPublicKey } from './project/wrap.js'
export type { Sealer, SealerOptions, SealInput, SealSecretOptions } from './seal/sealer.js'
export { createSealer, sealSecret } from './seal/sealer.js'
export type { WrapBlobOptions } from './seal/wrap.js'
export { wrapBlob } from './seal/wrap.js'
export type { SecretTypesInput } from './secret-file/declaration.js'
export {
  declarationPathFor,
  isExportableKey,
  renderSecretTypes,
  secretBinding,
  secretTypesOf,
} from './secret-file/declaration.js'
export type { ParsedSecret } from './secret-file/parse.js'
export { maxSecretFileLength, parseSecretFile } from './secret-file/parse.js'
export type { SecretExtension } from './secret-file/paths.js'
export {
  formatFromPath,
  secretExtensionPattern,
  secretExtensions,
  secretExtensionsHint,
  secretFileRE,
  secretFormatByExtension,
  secretFormatOf,
} from './secret-file/paths.js'
export { serializeSecret } from './secret-file/serialize.js'
export { inferShape, renderShapeType } from './secret-file/shape.js'
