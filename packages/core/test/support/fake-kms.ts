import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHmac,
  generateKeyPairSync,
  privateDecrypt,
} from 'node:crypto'
import { sm2 } from 'sm-crypto-v2'
import { KmsSecretsError } from '../../src/errors.js'
import type { KmsProvider } from '../../src/kms/types.js'

/**
 * Deterministic in-memory KMS for tests and test vectors. "Wrapping" is AES-256-GCM under a key derived from
 * (seed, keyId), with IVs and data keys derived from a counter, so a fixed seed reproduces every byte. The blob looks
 * like Tencent's (`a-k-b-k-c`) and carries the key id. Decrypt with a different EncryptionContext fails like KMS does
 * (InvalidParameterValue.InvalidCiphertext). The fake checks its inputs (context JSON, ≤ 1024 chars, 4 KB plaintext).
 */
export interface FakeKmsOptions {
  seed?: string
  keys?: string[]
  region?: string
  disabled?: string[]
  /** Asymmetric CMKs (KeyUsage ASYMMETRIC_DECRYPT_RSA_2048 / _SM2): GetPublicKey, AsymmetricRsa/Sm2Decrypt. */
  asymmetric?: Record<string, 'ASYMMETRIC_DECRYPT_RSA_2048' | 'ASYMMETRIC_DECRYPT_SM2'>
}

export interface FakeKms extends Required<KmsProvider> {
  calls: { action: string; keyId?: string; encryptionContext?: string }[]
}

/** SPKI DER prefix of an SM2 public key (id-ecPublicKey, curve 1.2.156.10197.1.301), then 04||x||y. */
const sm2SpkiPrefix = '3059301306072a8648ce3d020106082a811ccf5501822d034200'

interface AsymmetricKey {
  usage: 'ASYMMETRIC_DECRYPT_RSA_2048' | 'ASYMMETRIC_DECRYPT_SM2'
  spki: Uint8Array
  decrypt(ciphertext: Uint8Array): Uint8Array
}

/** RSA keys are random per fake (no seedable RSA keygen in node:crypto); SM2 keys derive from the seed. */
function asymmetricKey(usage: AsymmetricKey['usage'], secret: Buffer): AsymmetricKey {
  if (usage === 'ASYMMETRIC_DECRYPT_RSA_2048') {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    return {
      usage,
      spki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
      decrypt: (c) =>
        new Uint8Array(
          privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, c),
        ),
    }
  }
  const priv = secret.toString('hex')
  const pub = sm2.getPublicKeyFromPrivateKey(priv)
  return {
    usage,
    spki: new Uint8Array(Buffer.from(sm2SpkiPrefix + pub, 'hex')),
    decrypt: (c) => {
      const out = sm2.doDecrypt(Buffer.from(c).toString('hex'), priv, 1, { output: 'array', asn1: true })
      if (out.length === 0) throw new Error('sm2')
      return new Uint8Array(out)
    },
  }
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64')

function kmsError(code: KmsSecretsError['code'], kmsCode: string, message: string): KmsSecretsError {
  return new KmsSecretsError(code, `KMS ${message} failed: ${kmsCode}.`, { kmsCode, requestId: 'fake-request' })
}

function checkContext(ctx: string | undefined): void {
  if (ctx === undefined) return
  let ok = ctx.length <= 1024
  try {
    const parsed = JSON.parse(ctx) as unknown
    ok &&= typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ok &&= Object.values(parsed as object).every((v) => typeof v === 'string')
  } catch {
    ok = false
  }
  if (!ok) throw kmsError('ERR_KMS_INVALID_PARAMETER', 'InvalidParameter', 'EncryptionContext')
}

export function createFakeKms(options: FakeKmsOptions = {}): FakeKms {
  const seed = options.seed ?? 'fake-kms'
  const keys = new Set(options.keys ?? ['fake-key-1', 'fake-key-2'])
  const disabled = new Set(options.disabled ?? [])
  let counter = 0
  const derive = (...parts: string[]) => createHmac('sha256', seed).update(parts.join('\0')).digest()
  const calls: FakeKms['calls'] = []
  const asym = new Map<string, AsymmetricKey>()
  for (const [keyId, usage] of Object.entries(options.asymmetric ?? {})) {
    keys.add(keyId)
    asym.set(keyId, asymmetricKey(usage, derive('sm2', keyId)))
  }

  function useKey(keyId: string, usage = 'ENCRYPT_DECRYPT'): void {
    if (!keys.has(keyId)) throw kmsError('ERR_KMS_KEY_NOT_FOUND', 'ResourceUnavailable.CmkNotFound', keyId)
    if (disabled.has(keyId)) throw kmsError('ERR_KMS_KEY_DISABLED', 'ResourceUnavailable.CmkDisabled', keyId)
    if ((asym.get(keyId)?.usage ?? 'ENCRYPT_DECRYPT') !== usage)
      throw kmsError('ERR_KMS_INVALID_PARAMETER', 'InvalidParameterValue.InvalidKeyUsage', keyId)
  }

  function asymmetricDecrypt(action: string, keyId: string, usage: AsymmetricKey['usage'], ciphertext: string) {
    calls.push({ action, keyId })
    useKey(keyId, usage)
    try {
      return { keyId, plaintext: asym.get(keyId)!.decrypt(Buffer.from(ciphertext, 'base64')) }
    } catch {
      throw kmsError('ERR_KMS_INVALID_CIPHERTEXT', 'FailedOperation.DecryptError', action)
    }
  }

  function wrap(keyId: string, plaintext: Uint8Array, ctx: string | undefined): string {
    const iv = derive('iv', String(counter++)).subarray(0, 12)
    const c = createCipheriv('aes-256-gcm', derive('cmk', keyId), iv)
    c.setAAD(Buffer.from(ctx ?? ''))
    const data = Buffer.concat([c.update(plaintext), c.final()])
    return `${b64(Buffer.from(keyId))}-k-${b64(iv)}-k-${b64(Buffer.concat([data, c.getAuthTag()]))}`
  }

  function unwrap(blob: string, ctx: string | undefined): { keyId: string; plaintext: Uint8Array } {
    const invalid = () => kmsError('ERR_KMS_INVALID_CIPHERTEXT', 'InvalidParameterValue.InvalidCiphertext', 'Decrypt')
    const parts = blob.split('-k-')
    if (parts.length !== 3) throw invalid()
    const keyId = Buffer.from(parts[0]!, 'base64').toString()
    if (!keys.has(keyId)) throw invalid()
    useKey(keyId)
    const iv = Buffer.from(parts[1]!, 'base64')
    const body = Buffer.from(parts[2]!, 'base64')
    if (iv.length !== 12 || body.length < 16) throw invalid()
    try {
      const d = createDecipheriv('aes-256-gcm', derive('cmk', keyId), iv)
      d.setAAD(Buffer.from(ctx ?? ''))
      d.setAuthTag(body.subarray(body.length - 16))
      const pt = Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()])
      return { keyId, plaintext: new Uint8Array(pt) }
    } catch {
      throw invalid()
    }
  }

  return {
    name: 'tencent',
    region: options.region ?? 'ap-guangzhou',
    calls,
    async generateDataKey(req) {
      calls.push({ action: 'GenerateDataKey', keyId: req.keyId, encryptionContext: req.encryptionContext })
      checkContext(req.encryptionContext)
      useKey(req.keyId)
      const plaintext = new Uint8Array(derive('dk', String(counter++)))
      return { keyId: req.keyId, plaintext, ciphertextBlob: wrap(req.keyId, plaintext, req.encryptionContext) }
    },
    async decrypt(req) {
      calls.push({ action: 'Decrypt', encryptionContext: req.encryptionContext })
      checkContext(req.encryptionContext)
      return unwrap(req.ciphertextBlob, req.encryptionContext)
    },
    async encrypt(req) {
      calls.push({ action: 'Encrypt', keyId: req.keyId, encryptionContext: req.encryptionContext })
      checkContext(req.encryptionContext)
      useKey(req.keyId)
      if (req.plaintext.length > 4096)
        throw kmsError('ERR_KMS_INVALID_PARAMETER', 'InvalidParameterValue.InvalidPlaintext', 'Encrypt')
      return { keyId: req.keyId, ciphertextBlob: wrap(req.keyId, req.plaintext, req.encryptionContext) }
    },
    async reEncrypt(req) {
      calls.push({ action: 'ReEncrypt', keyId: req.destinationKeyId })
      const { keyId, plaintext } = unwrap(req.ciphertextBlob, req.sourceEncryptionContext)
      const dest = req.destinationKeyId || keyId
      useKey(dest)
      const ciphertextBlob = wrap(dest, plaintext, req.destinationEncryptionContext)
      plaintext.fill(0)
      return { ciphertextBlob, keyId: dest, sourceKeyId: keyId, reEncrypted: true }
    },
    async describeKey(keyId) {
      calls.push({ action: 'DescribeKey', keyId })
      if (!keys.has(keyId)) throw kmsError('ERR_KMS_KEY_NOT_FOUND', 'ResourceUnavailable.CmkNotFound', keyId)
      return { keyId, keyUsage: asym.get(keyId)?.usage ?? 'ENCRYPT_DECRYPT', keyState: 'Enabled' }
    },
    async getPublicKey(req) {
      calls.push({ action: 'GetPublicKey', keyId: req.keyId })
      const key = asym.get(req.keyId)
      useKey(req.keyId, key?.usage ?? 'ASYMMETRIC')
      return { keyId: req.keyId, publicKey: key!.spki }
    },
    async asymmetricRsaDecrypt(req) {
      if (req.algorithm !== 'RSAES_OAEP_SHA_256')
        throw kmsError('ERR_KMS_INVALID_PARAMETER', 'InvalidParameter', 'Algorithm')
      return asymmetricDecrypt('AsymmetricRsaDecrypt', req.keyId, 'ASYMMETRIC_DECRYPT_RSA_2048', req.ciphertext)
    },
    async asymmetricSm2Decrypt(req) {
      return asymmetricDecrypt('AsymmetricSm2Decrypt', req.keyId, 'ASYMMETRIC_DECRYPT_SM2', req.ciphertext)
    },
  }
}
