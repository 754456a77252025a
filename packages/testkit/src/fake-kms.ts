import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'
import type { CallOptions, DecryptRequest, KmsProvider } from '@kms-secrets/core'
import { KmsSecretsError } from '@kms-secrets/core/errors'
import { type AsymmetricKey, type AsymmetricUsage, createAsymmetricKey } from './fake-kms-asymmetric.js'

/** A fault the fake injects into the next Decrypt calls, in order (one per call, before the real work). */
export type Fault = 'throttle' | 'internal' | 'network' | 'timeout' | 'unauthorized' | 'disabled' | 'late-reject'

export interface FakeKmsOptions {
  /** Derives CMKs, data keys and IVs: a fixed seed reproduces every byte. Default: random (fresh CMKs per fake). */
  seed?: string
  /** Known symmetric CMKs (a list, or a KeyId pattern). Default: fake-key-1, fake-key-2 and any UUID-shaped KeyId. */
  keys?: string[] | RegExp
  region?: string
  /** CMKs that exist but are disabled (ResourceUnavailable.CmkDisabled). */
  disabled?: string[]
  /** Asymmetric CMKs (KeyUsage ASYMMETRIC_DECRYPT_RSA_2048 / _SM2): GetPublicKey, AsymmetricRsa/Sm2Decrypt. */
  asymmetric?: Record<string, AsymmetricUsage>
  /**
   * How strictly the EncryptionContext is checked. `json` (default): absent, or a JSON object of strings of at most
   * 1024 characters, like Tencent. `canonical`: also present, keys sorted, no spaces, `"kms-secrets": "1"` (what
   * every kms-secrets caller sends).
   */
  context?: 'json' | 'canonical'
}

export interface FakeKmsCall {
  action: string
  keyId?: string
  encryptionContext?: string
}

export interface FakeKms extends Required<KmsProvider> {
  /** Every call, in order (also refused ones). */
  calls: FakeKmsCall[]
  count(action: string): number
  /** Every Decrypt request, in order (also failed ones). */
  readonly decrypts: DecryptRequest[]
  decryptsOf(blob: string): number
  /** Faults consumed one per Decrypt call. */
  readonly faults: Fault[]
  /** RequestId of the last call. */
  readonly lastRequestId: string
  /** Copies of the data keys GenerateDataKey handed out (to search outputs for them). */
  readonly issuedKeys: Uint8Array[]
  /** Every plaintext returned (GenerateDataKey, Decrypt, asymmetric decrypts), by reference: was it zeroed? */
  readonly handedOut: Uint8Array[]
  /** Wraps bytes as KMS Encrypt would (for direct-mode envelopes), without recording a call. */
  wrap(keyId: string, plaintext: Uint8Array, encryptionContext: string | undefined): string
}

const uuidRE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const defaultKeys = ['fake-key-1', 'fake-key-2']
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64')

function checkContext(ctx: string | undefined, mode: FakeKmsOptions['context'], refuse: () => Error): void {
  if (ctx === undefined && mode !== 'canonical') return
  let ok = ctx !== undefined && ctx.length <= 1024
  try {
    const parsed = JSON.parse(ctx ?? 'null') as Record<string, unknown> | null
    ok &&= typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ok &&= Object.values(parsed as object).every((v) => typeof v === 'string')
    if (mode === 'canonical') {
      const sorted = Object.fromEntries(Object.entries(parsed as object).sort(([a], [b]) => (a < b ? -1 : 1)))
      ok &&= parsed?.['kms-secrets'] === '1' && JSON.stringify(sorted) === ctx
    }
  } catch {
    ok = false
  }
  if (!ok) throw refuse()
}

/**
 * In-memory KMS implementing every KmsProvider method, checking its inputs like Tencent would: a known, enabled CMK
 * of the right KeyUsage, a well-formed EncryptionContext, at most 4 KB for Encrypt. "Wrapping" is AES-256-GCM under a
 * CMK derived from (seed, keyId) with the EncryptionContext as associated data, so a wrong context, a tampered blob or
 * a blob of another fake fails as InvalidParameterValue.InvalidCiphertext. Blobs look like Tencent's (`a-k-b-k-c`).
 */
export function createFakeKms(options: FakeKmsOptions = {}): FakeKms {
  const seed = options.seed ?? randomBytes(16).toString('hex')
  const keys = options.keys ?? defaultKeys
  const isKey = (id: string) => (keys instanceof RegExp ? keys.test(id) : keys.includes(id) || asym.has(id))
  const known = (id: string) => isKey(id) || (options.keys === undefined && uuidRE.test(id))
  const disabled = new Set(options.disabled ?? [])
  const derive = (...parts: string[]) => createHmac('sha256', seed).update(parts.join('\0')).digest()
  const asym = new Map<string, AsymmetricKey>()
  for (const [keyId, usage] of Object.entries(options.asymmetric ?? {}))
    asym.set(keyId, createAsymmetricKey(usage, derive('sm2', keyId)))
  let counter = 0
  let requests = 0
  const fake = {
    calls: [] as FakeKmsCall[],
    decrypts: [] as DecryptRequest[],
    faults: [] as Fault[],
    issuedKeys: [] as Uint8Array[],
    handedOut: [] as Uint8Array[],
    lastRequestId: '',
  }
  const record = (call: FakeKmsCall) => {
    fake.calls.push(call)
    fake.lastRequestId = `fake-request-${++requests}`
    return fake.lastRequestId
  }
  const refused = (code: KmsSecretsError['code'], kmsCode: string | undefined, what: string) =>
    new KmsSecretsError(code, `KMS ${what} failed: ${kmsCode ?? code}.`, {
      kmsCode,
      requestId: kmsCode === undefined ? undefined : fake.lastRequestId,
    })
  const invalidContext = () => refused('ERR_KMS_INVALID_PARAMETER', 'InvalidParameter', 'EncryptionContext')
  const context = (ctx: string | undefined) => checkContext(ctx, options.context, invalidContext)
  const hand = (plaintext: Uint8Array) => {
    fake.handedOut.push(plaintext)
    return plaintext
  }

  function useKey(keyId: string, usage = 'ENCRYPT_DECRYPT'): void {
    if (!known(keyId)) throw refused('ERR_KMS_KEY_NOT_FOUND', 'ResourceUnavailable.CmkNotFound', keyId)
    if (disabled.has(keyId)) throw refused('ERR_KMS_KEY_DISABLED', 'ResourceUnavailable.CmkDisabled', keyId)
    if ((asym.get(keyId)?.usage ?? 'ENCRYPT_DECRYPT') !== usage)
      throw refused('ERR_KMS_INVALID_PARAMETER', 'InvalidParameterValue.InvalidKeyUsage', keyId)
  }

  function wrap(keyId: string, plaintext: Uint8Array, ctx: string | undefined): string {
    useKey(keyId)
    const iv = derive('iv', String(counter++)).subarray(0, 12)
    const c = createCipheriv('aes-256-gcm', derive('cmk', keyId), iv).setAAD(Buffer.from(ctx ?? ''))
    const data = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()])
    return `${b64(Buffer.from(keyId))}-k-${b64(iv)}-k-${b64(data)}`
  }

  function unwrap(blob: string, ctx: string | undefined, action: string) {
    const invalid = () => refused('ERR_KMS_INVALID_CIPHERTEXT', 'InvalidParameterValue.InvalidCiphertext', action)
    const parts = blob.split('-k-')
    if (parts.length !== 3) throw invalid()
    const [id, iv, body] = parts.map((p) => Buffer.from(p, 'base64')) as [Buffer, Buffer, Buffer]
    const keyId = id.toString()
    if (!known(keyId)) throw invalid()
    useKey(keyId)
    if (iv.length !== 12 || body.length < 16) throw invalid()
    try {
      const d = createDecipheriv('aes-256-gcm', derive('cmk', keyId), iv).setAAD(Buffer.from(ctx ?? ''))
      d.setAuthTag(body.subarray(body.length - 16))
      const plain = Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()])
      const plaintext = new Uint8Array(plain)
      plain.fill(0)
      return { keyId, plaintext }
    } catch {
      throw invalid()
    }
  }

  async function injectFault(fault: Fault | undefined, opts: CallOptions | undefined): Promise<void> {
    if (fault === undefined) return
    const what = 'Decrypt'
    if (fault === 'throttle') throw refused('ERR_KMS_THROTTLED', 'RequestLimitExceeded', what)
    if (fault === 'internal') throw refused('ERR_KMS_UNAVAILABLE', 'InternalError', what)
    if (fault === 'network') throw refused('ERR_KMS_NETWORK', undefined, what)
    if (fault === 'unauthorized') throw refused('ERR_KMS_UNAUTHORIZED', 'AuthFailure.UnauthorizedOperation', what)
    if (fault === 'disabled') throw refused('ERR_KMS_KEY_DISABLED', 'ResourceUnavailable.CmkDisabled', what)
    // 'timeout': never answer; 'late-reject': reject only once the caller aborted (after its timer fired).
    await new Promise<never>((_, reject) => {
      if (fault === 'late-reject')
        opts?.signal?.addEventListener('abort', () => reject(refused('ERR_KMS_TIMEOUT', undefined, what)))
    })
  }

  function asymmetricDecrypt(action: string, keyId: string, usage: AsymmetricUsage, ciphertext: string) {
    const requestId = record({ action, keyId })
    useKey(keyId, usage)
    try {
      return { keyId, plaintext: hand(asym.get(keyId)!.decrypt(Buffer.from(ciphertext, 'base64'))), requestId }
    } catch {
      throw refused('ERR_KMS_INVALID_CIPHERTEXT', 'FailedOperation.DecryptError', action)
    }
  }

  return Object.assign(fake, {
    name: 'tencent' as const,
    region: options.region ?? 'ap-guangzhou',
    wrap,
    count: (action: string) => fake.calls.filter((c) => c.action === action).length,
    decryptsOf: (blob: string) => fake.decrypts.filter((d) => d.ciphertextBlob === blob).length,
    async generateDataKey(req: Parameters<KmsProvider['generateDataKey']>[0]) {
      const { keyId, encryptionContext } = req
      const requestId = record({ action: 'GenerateDataKey', keyId, encryptionContext })
      context(encryptionContext)
      useKey(keyId)
      const plaintext = hand(new Uint8Array(derive('dk', String(counter++))))
      fake.issuedKeys.push(Uint8Array.from(plaintext))
      return { keyId, plaintext, ciphertextBlob: wrap(keyId, plaintext, encryptionContext), requestId }
    },
    async decrypt(req: DecryptRequest, opts?: CallOptions) {
      fake.decrypts.push(req)
      const requestId = record({ action: 'Decrypt', encryptionContext: req.encryptionContext })
      await injectFault(fake.faults.shift(), opts)
      context(req.encryptionContext)
      const { keyId, plaintext } = unwrap(req.ciphertextBlob, req.encryptionContext, 'Decrypt')
      return { keyId, plaintext: hand(plaintext), requestId }
    },
    async encrypt(req: Parameters<KmsProvider['encrypt']>[0]) {
      const { keyId, encryptionContext } = req
      const requestId = record({ action: 'Encrypt', keyId, encryptionContext })
      context(encryptionContext)
      useKey(keyId)
      if (req.plaintext.length > 4096)
        throw refused('ERR_KMS_INVALID_PARAMETER', 'InvalidParameterValue.InvalidPlaintext', 'Encrypt')
      return { keyId, ciphertextBlob: wrap(keyId, req.plaintext, encryptionContext), requestId }
    },
    async reEncrypt(req: Parameters<KmsProvider['reEncrypt']>[0]) {
      const requestId = record({ action: 'ReEncrypt', keyId: req.destinationKeyId })
      const { keyId, plaintext } = unwrap(req.ciphertextBlob, req.sourceEncryptionContext, 'ReEncrypt')
      const dest = req.destinationKeyId || keyId
      const ciphertextBlob = wrap(dest, plaintext, req.destinationEncryptionContext)
      plaintext.fill(0)
      return { ciphertextBlob, keyId: dest, sourceKeyId: keyId, reEncrypted: true, requestId }
    },
    async describeKey(keyId: string) {
      const requestId = record({ action: 'DescribeKey', keyId })
      if (!known(keyId)) throw refused('ERR_KMS_KEY_NOT_FOUND', 'ResourceUnavailable.CmkNotFound', keyId)
      return { keyId, keyUsage: asym.get(keyId)?.usage ?? 'ENCRYPT_DECRYPT', keyState: 'Enabled', requestId }
    },
    async getPublicKey(req: { keyId: string }) {
      const requestId = record({ action: 'GetPublicKey', keyId: req.keyId })
      const key = asym.get(req.keyId)
      useKey(req.keyId, key?.usage ?? 'ASYMMETRIC')
      return { keyId: req.keyId, publicKey: key!.spki, requestId }
    },
    async asymmetricRsaDecrypt(req: Parameters<FakeKms['asymmetricRsaDecrypt']>[0]) {
      if (req.algorithm !== 'RSAES_OAEP_SHA_256')
        throw refused('ERR_KMS_INVALID_PARAMETER', 'InvalidParameter', 'Algorithm')
      return asymmetricDecrypt('AsymmetricRsaDecrypt', req.keyId, 'ASYMMETRIC_DECRYPT_RSA_2048', req.ciphertext)
    },
    async asymmetricSm2Decrypt(req: Parameters<FakeKms['asymmetricSm2Decrypt']>[0]) {
      return asymmetricDecrypt('AsymmetricSm2Decrypt', req.keyId, 'ASYMMETRIC_DECRYPT_SM2', req.ciphertext)
    },
  })
}

/** A provider that fails the test if anything calls KMS at all (sealed-on-disk builds, offline sealing). */
export function createForbiddenKms(region = 'ap-test'): KmsProvider {
  const no = async (): Promise<never> => {
    throw new Error('KMS must not be called')
  }
  return { name: 'tencent', region, generateDataKey: no, decrypt: no, encrypt: no, reEncrypt: no }
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection<E = KmsSecretsError>(p: Promise<unknown>): Promise<E> {
  try {
    await p
  } catch (e) {
    return e as E
  }
  throw new Error('expected a rejection, got a value')
}
