import { createECDH, randomBytes } from 'node:crypto'
import { zero } from '../crypto/aead.js'
import { projectEncryptionContext } from '../envelope/aad.js'
import { isKmsSecretsError, KmsSecretsError } from '../errors.js'
import type { GetPublicKeyResult, KmsProvider } from '../kms/types.js'
import { toBase64 } from '../util/base64.js'
import { keyUsageOfWrap, PROJECT_FILE_VERSION, type ProjectWrap, projectSuite } from './constants.js'
import { type ProjectKey, projectKeyFingerprint } from './file.js'
import { createProjectSuite } from './hpke.js'
import { unwrapProjectKey } from './unwrap.js'
import { wrapOfPublicKey, wrapWithPublicKey } from './wrap.js'

export interface CreateProjectKeyOptions {
  provider: KmsProvider
  /** CMK KeyId or alias; its KeyUsage (DescribeKey) picks the wrap. */
  keyId: string
  /** Recorded in kms-secrets.json; default the provider's region. */
  region?: string
  context?: Record<string, string>
  /** 32+ bytes of key material for HPKE DeriveKeyPair; only for reproducible test vectors. Default: random. */
  ikm?: Uint8Array
}

const wrapOfUsage: Record<string, ProjectWrap> = Object.fromEntries(
  Object.entries(keyUsageOfWrap).map(([wrap, usage]) => [usage, wrap as ProjectWrap]),
)

function unsupportedUsage(keyId: string, usage: string | undefined): KmsSecretsError {
  return new KmsSecretsError(
    'ERR_PROJECT_KEY',
    `CMK ${keyId} has KeyUsage ${usage ?? '(not reported)'}, which cannot wrap a project key.`,
    {
      hint: 'Use a CMK with KeyUsage ENCRYPT_DECRYPT, ASYMMETRIC_DECRYPT_RSA_2048 or ASYMMETRIC_DECRYPT_SM2.',
      keyId,
    },
  )
}

interface Cmk {
  keyId: string
  wrap: ProjectWrap
  /** Already fetched (GetPublicKey-only identity). */
  publicKey?: GetPublicKeyResult
}

/**
 * The wrap a CMK needs, from DescribeKey (one call). An identity refused DescribeKey may still init on an asymmetric
 * CMK with GetPublicKey alone (all that wrapping needs): the public key's algorithm then picks the wrap.
 */
async function wrapOfCmk(provider: KmsProvider, keyId: string): Promise<Cmk> {
  if (!provider.describeKey) return { keyId, wrap: 'KMS' }
  const desc = await provider.describeKey(keyId).catch(async (e: unknown) => {
    if (!isKmsSecretsError(e) || e.code !== 'ERR_KMS_UNAUTHORIZED' || !provider.getPublicKey) throw e
    const publicKey = await provider.getPublicKey({ keyId }).catch(() => {
      throw e
    })
    return { publicKey }
  })
  if ('publicKey' in desc) {
    const { publicKey } = desc
    return { keyId: publicKey.keyId || keyId, wrap: wrapOfPublicKey(publicKey.publicKey), publicKey }
  }
  const wrap = wrapOfUsage[desc.keyUsage ?? 'ENCRYPT_DECRYPT']
  if (!wrap) throw unsupportedUsage(keyId, desc.keyUsage)
  return { keyId: desc.keyId || keyId, wrap }
}

/**
 * Wraps a project private key under a CMK: symmetric → KMS Encrypt with projectEncryptionContext (one call);
 * asymmetric → GetPublicKey (one call), then RSAES_OAEP_SHA_256 or SM2 locally. Returns the reported KeyId.
 */
async function wrapPrivateKey(
  provider: KmsProvider,
  cmk: Cmk,
  privateKey: Uint8Array,
  encryptionContext: string,
): Promise<{ keyId: string; blob: string }> {
  if (cmk.wrap === 'KMS') {
    const res = await provider.encrypt({ keyId: cmk.keyId, plaintext: privateKey, encryptionContext })
    return { keyId: res.keyId || cmk.keyId, blob: res.ciphertextBlob }
  }
  if (!provider.getPublicKey) throw unsupportedUsage(cmk.keyId, 'asymmetric (this provider has no GetPublicKey)')
  const pub = cmk.publicKey ?? (await provider.getPublicKey({ keyId: cmk.keyId }))
  return { keyId: pub.keyId || cmk.keyId, blob: wrapWithPublicKey(cmk.wrap, pub.publicKey, cmk.keyId, privateKey) }
}

/**
 * `kms-secrets init`: a new project key pair (HPKE DHKEM(P-256)); the private half is wrapped under `keyId` and
 * zeroed. KMS calls: DescribeKey, then Encrypt (symmetric CMK) or GetPublicKey (asymmetric CMK). Nothing secret
 * is returned: the result is the content of kms-secrets.json.
 */
export async function createProjectKey(options: CreateProjectKeyOptions): Promise<ProjectKey> {
  const { provider } = options
  const context = { ...(options.context ?? {}) }
  const cmk = await wrapOfCmk(provider, options.keyId)
  const suite = createProjectSuite()
  const ikm = options.ikm?.slice() ?? new Uint8Array(randomBytes(32))
  const pair = await suite.kem.deriveKeyPair(ikm)
  zero(ikm)
  const publicKey = toBase64(new Uint8Array(await suite.kem.serializePublicKey(pair.publicKey)))
  const base = { kmsSecretsProject: PROJECT_FILE_VERSION, suite: { ...projectSuite }, publicKey, context }
  const fingerprint = projectKeyFingerprint(base)
  const privateKey = new Uint8Array(await suite.kem.serializePrivateKey(pair.privateKey))
  try {
    const wrapped = await wrapPrivateKey(provider, cmk, privateKey, projectEncryptionContext(context, fingerprint))
    return {
      kmsSecretsProject: PROJECT_FILE_VERSION,
      provider: 'tencent',
      region: options.region ?? provider.region,
      keyId: wrapped.keyId,
      keyUsage: keyUsageOfWrap[cmk.wrap],
      suite: base.suite,
      publicKey,
      wrappedKey: { alg: cmk.wrap, blob: wrapped.blob },
      context,
    }
  } finally {
    zero(privateKey)
  }
}

/** The `kms` of every envelope sealed with this project key (FORMAT.md §10.3). */
export function projectEnvelopeKms(key: ProjectKey) {
  return {
    provider: key.provider,
    region: key.region,
    keyId: key.keyId,
    blob: key.wrappedKey.blob,
    wrap: key.wrappedKey.alg,
    project: projectKeyFingerprint(key),
  }
}

function mismatch(keyId: string): KmsSecretsError {
  return new KmsSecretsError(
    'ERR_PROJECT_KEY',
    `The private key wrapped in kms-secrets.json (CMK ${keyId}) does not belong to its publicKey.`,
    {
      hint: 'kms-secrets.json was edited: restore it from git (review who changed publicKey) before sealing anything.',
      keyId,
    },
  )
}

/**
 * One KMS call: unwraps the project's private key and checks that it belongs to `publicKey` and that KMS reports
 * `keyId` (a kms-secrets.json whose publicKey was replaced would make everyone seal to someone else's key). Returns
 * the 32-byte private key; the caller zeroes it.
 */
export async function unlockProjectKey(key: ProjectKey, provider: KmsProvider): Promise<Uint8Array> {
  const kms = projectEnvelopeKms(key)
  const res = await unwrapProjectKey({ kms, context: key.context }, provider)
  try {
    if (res.keyId !== key.keyId || res.plaintext.length !== 32) throw mismatch(key.keyId)
    // node:crypto's ECDH keeps the scalar in native memory (a JWK export would copy it into an unzeroable string).
    let point: Uint8Array
    try {
      const ecdh = createECDH('prime256v1')
      ecdh.setPrivateKey(res.plaintext)
      point = ecdh.getPublicKey()
    } catch {
      throw mismatch(key.keyId) // 0 or ≥ n: not a P-256 private key
    }
    if (toBase64(point) !== key.publicKey) throw mismatch(key.keyId)
    return res.plaintext
  } catch (e) {
    zero(res.plaintext)
    throw e
  }
}

export interface RewrapProjectKeyOptions {
  provider: KmsProvider
  /** Destination CMK. */
  keyId: string
}

/**
 * Re-wraps the same key pair under another CMK (`rotate --project-key --key-id`): symmetric → symmetric with KMS
 * ReEncrypt (the private key never reaches this process); otherwise one unwrap + one wrap, key zeroed. The
 * fingerprint, publicKey and context stay, so sealed values stay valid: only their `kms` changes.
 */
export async function rewrapProjectKey(key: ProjectKey, options: RewrapProjectKeyOptions): Promise<ProjectKey> {
  const { provider } = options
  const cmk = await wrapOfCmk(provider, options.keyId)
  const ec = projectEncryptionContext(key.context, projectKeyFingerprint(key))
  let wrapped: { keyId: string; blob: string }
  if (cmk.wrap === 'KMS' && key.wrappedKey.alg === 'KMS') {
    const res = await provider.reEncrypt({
      ciphertextBlob: key.wrappedKey.blob,
      destinationKeyId: cmk.keyId,
      sourceEncryptionContext: ec,
      destinationEncryptionContext: ec,
    })
    wrapped = { keyId: res.keyId || cmk.keyId, blob: res.ciphertextBlob }
  } else {
    const privateKey = await unlockProjectKey(key, provider)
    try {
      wrapped = await wrapPrivateKey(provider, cmk, privateKey, ec)
    } finally {
      zero(privateKey)
    }
  }
  return {
    ...key,
    keyId: wrapped.keyId,
    keyUsage: keyUsageOfWrap[cmk.wrap],
    wrappedKey: { alg: cmk.wrap, blob: wrapped.blob },
  }
}
