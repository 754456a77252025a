/**
 * Project keys (FORMAT.md §10): constants shared by sealing (build side) and opening (runtime side). Pure: no
 * node:crypto, so the runtime's WebCrypto opener reads the same labels.
 */
import { canonicalJson } from '../util/canonical-json.js'

/** HPKE suite (RFC 9180 §7): DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, export-only. */
export const projectSuite = { kem: 0x0010, kdf: 0x0001, aead: 0xffff } as const
/** `alg` of an envelope in mode "project": the data key comes from an HPKE export, the value is v2 AES-256-GCM. */
export const PROJECT_ALG = 'HPKE-P256-AES-256-GCM' as const
/** Marker and version of kms-secrets.json. */
export const PROJECT_FILE_MARKER = 'kmsSecretsProject' as const
export const PROJECT_FILE_VERSION = 1 as const
export const projectFileName = 'kms-secrets.json'
/** How the project's private key is wrapped (kms-secrets.json `wrappedKey.alg`, envelope `kms.wrap`). */
export const projectWraps = ['KMS', 'RSAES_OAEP_SHA_256', 'SM2'] as const
export type ProjectWrap = (typeof projectWraps)[number]
/** The CMK KeyUsage each wrap needs. */
export const keyUsageOfWrap = {
  KMS: 'ENCRYPT_DECRYPT',
  RSAES_OAEP_SHA_256: 'ASYMMETRIC_DECRYPT_RSA_2048',
  SM2: 'ASYMMETRIC_DECRYPT_SM2',
} as const satisfies Record<ProjectWrap, string>
export type ProjectKeyUsage = (typeof keyUsageOfWrap)[ProjectWrap]
/** EncryptionContext key naming the project key a symmetric wrap belongs to (reserved in user contexts). */
export const projectContextKey = 'kms-secrets-project'
/** Project key fingerprint: lowercase hex SHA-256 (FORMAT.md §10.2). */
export const fingerprintRE = /^[0-9a-f]{64}$/
/**
 * What a fingerprint hashes (FORMAT.md §10.2): canonicalJson({ context, kmsSecretsProject, publicKey (base64), suite }).
 * Hashed by the caller: node:crypto when sealing, WebCrypto in the runtime.
 */
export function projectFingerprintText(key: {
  context: Record<string, string>
  kmsSecretsProject: number
  publicKey: string
  suite: { kem: number; kdf: number; aead: number }
}): string {
  return canonicalJson({
    context: key.context,
    kmsSecretsProject: key.kmsSecretsProject,
    publicKey: key.publicKey,
    suite: key.suite,
  })
}
/** P-256 sizes: serialized private key (scalar) and enc / public key (uncompressed point). */
export const projectPrivateKeyLength = 32
export const projectPublicKeyLength = 65

const utf8 = new TextEncoder()
/** HPKE `info` of every envelope sealed with the project key `fingerprint`: ASCII "kms-secrets project v1:" + hex. */
export function projectHpkeInfo(fingerprint: string): Uint8Array {
  return utf8.encode(`kms-secrets project v1:${fingerprint}`)
}
/** HPKE exporter_context of the 32-byte data key fed to the v2 key schedule (FORMAT.md §3.2). */
export const projectExporterContext: Uint8Array = utf8.encode('kms-secrets v2 data key')
