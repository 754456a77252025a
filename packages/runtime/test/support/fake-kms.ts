import { randomBytes, randomUUID } from 'node:crypto'
import { type CallOptions, type DecryptRequest, type KmsProvider, KmsSecretsError } from '@kms-secrets/core/open'

/** A fault the fake injects into the next Decrypt calls, in order. */
export type Fault = 'throttle' | 'internal' | 'network' | 'timeout' | 'unauthorized' | 'disabled' | 'late-reject'

interface Wrapped {
  keyId: string
  plaintext: Uint8Array
  encryptionContext: string | undefined
}

export interface FakeKms extends KmsProvider {
  /** Every Decrypt call, in order (also failed ones). */
  readonly decrypts: DecryptRequest[]
  /** Decrypt calls per blob. */
  decryptsOf(blob: string): number
  /** Faults consumed one per Decrypt call, before the real work. */
  readonly faults: Fault[]
  /** Last RequestId handed out. */
  readonly lastRequestId: string
  /** Raw data keys handed out by GenerateDataKey (copies), to check none leaks. */
  readonly issuedKeys: Uint8Array[]
  /** Wraps arbitrary bytes as if KMS Encrypt had been called (for direct-mode envelopes). */
  wrap(keyId: string, plaintext: Uint8Array, encryptionContext: string | undefined): string
}

const keyIdRE = /^[0-9a-f-]{8,}$/

/**
 * In-memory KMS that checks its inputs like Tencent would: known blob, EXACT EncryptionContext string (Tencent
 * compares the JSON it was given), KeyId shape. Errors are KmsSecretsErrors shaped like core's Tencent mapping.
 */
export function createFakeKms(region = 'ap-guangzhou'): FakeKms {
  const store = new Map<string, Wrapped>()
  const decrypts: DecryptRequest[] = []
  const faults: Fault[] = []
  const issuedKeys: Uint8Array[] = []
  let lastRequestId = ''
  const fail = (code: KmsSecretsError['code'], kmsCode: string | undefined) => {
    const requestId = kmsCode === undefined ? undefined : lastRequestId
    return new KmsSecretsError(code, `KMS Decrypt failed: ${kmsCode ?? code}.`, { kmsCode, requestId })
  }
  const wrap = (keyId: string, plaintext: Uint8Array, encryptionContext: string | undefined): string => {
    if (!keyIdRE.test(keyId)) throw fail('ERR_KMS_KEY_NOT_FOUND', 'InvalidParameterValue.InvalidKeyId')
    const blob = `${randomBytes(24).toString('base64')}-k-${randomBytes(8).toString('base64')}`
    store.set(blob, { keyId, plaintext: Uint8Array.from(plaintext), encryptionContext })
    return blob
  }
  const injectFault = async (fault: Fault | undefined, opts: CallOptions | undefined): Promise<void> => {
    if (fault === undefined) return
    if (fault === 'throttle') throw fail('ERR_KMS_THROTTLED', 'RequestLimitExceeded')
    if (fault === 'internal') throw fail('ERR_KMS_UNAVAILABLE', 'InternalError')
    if (fault === 'network') throw fail('ERR_KMS_NETWORK', undefined)
    if (fault === 'unauthorized') throw fail('ERR_KMS_UNAUTHORIZED', 'AuthFailure.UnauthorizedOperation')
    if (fault === 'disabled') throw fail('ERR_KMS_KEY_DISABLED', 'ResourceUnavailable.CmkDisabled')
    // 'timeout': never answer; 'late-reject': reject only once the caller aborted (after its timer fired).
    await new Promise<never>((_, reject) => {
      if (fault === 'late-reject')
        opts?.signal?.addEventListener('abort', () => reject(fail('ERR_KMS_TIMEOUT', undefined)))
    })
  }
  return {
    name: 'tencent',
    region,
    decrypts,
    faults,
    issuedKeys,
    wrap,
    get lastRequestId() {
      return lastRequestId
    },
    decryptsOf: (blob) => decrypts.filter((d) => d.ciphertextBlob === blob).length,
    async generateDataKey(req) {
      const plaintext = new Uint8Array(randomBytes(32))
      issuedKeys.push(Uint8Array.from(plaintext))
      const ciphertextBlob = wrap(req.keyId, plaintext, req.encryptionContext)
      return { keyId: req.keyId, plaintext, ciphertextBlob, requestId: randomUUID() }
    },
    async decrypt(req, opts) {
      decrypts.push(req)
      lastRequestId = randomUUID()
      await injectFault(faults.shift(), opts)
      const w = store.get(req.ciphertextBlob)
      if (w === undefined || w.encryptionContext !== req.encryptionContext) {
        throw fail('ERR_KMS_INVALID_CIPHERTEXT', 'InvalidParameterValue.InvalidCiphertext')
      }
      return { keyId: w.keyId, plaintext: Uint8Array.from(w.plaintext), requestId: lastRequestId }
    },
    async encrypt(req) {
      return { keyId: req.keyId, ciphertextBlob: wrap(req.keyId, req.plaintext, req.encryptionContext) }
    },
    async reEncrypt() {
      throw fail('ERR_KMS_REQUEST', 'UnsupportedOperation')
    },
  }
}

/** Awaits a promise that must reject and returns the (typed) error, failing the test if it resolves. */
export async function failure(p: Promise<unknown>): Promise<KmsSecretsError> {
  try {
    await p
  } catch (e) {
    return e as KmsSecretsError
  }
  throw new Error('expected a rejection')
}
