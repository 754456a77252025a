import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { type KmsProvider, KmsSecretsError } from '@kms-secrets/core'

/**
 * An in-memory KMS for high-volume attacks (thousands of opens per second). Blobs are `keyId-k-iv-k-ct‖tag` with the
 * EncryptionContext as AES-GCM associated data, so a wrong context, a tampered blob or a blob of another CMK fails like
 * Tencent KMS (InvalidParameterValue.InvalidCiphertext). Every plaintext it hands out is kept by reference in
 * `handedOut`, so tests can check that the caller zeroed it.
 */
export interface FakeKms extends KmsProvider {
  /** Every plaintext Uint8Array returned by GenerateDataKey/Decrypt, by reference. */
  handedOut: Uint8Array[]
  calls: Record<string, number>
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64')

function refused(kmsCode: string, code: KmsSecretsError['code']): KmsSecretsError {
  return new KmsSecretsError(code, `KMS refused the call: ${kmsCode}.`, { kmsCode, requestId: 'fake-request-id' })
}

export function createFakeKms(keyIds: string[] = ['fake-cmk-a', 'fake-cmk-b']): FakeKms {
  const cmks = new Map(keyIds.map((id) => [id, randomBytes(32)]))
  const handedOut: Uint8Array[] = []
  const calls: Record<string, number> = {}
  const note = (action: string): void => {
    calls[action] = (calls[action] ?? 0) + 1
  }
  const cmk = (keyId: string): Buffer => {
    const key = cmks.get(keyId)
    if (!key) throw refused('ResourceUnavailable.CmkNotFound', 'ERR_KMS_KEY_NOT_FOUND')
    return key
  }
  const wrap = (keyId: string, plaintext: Uint8Array, ctx = ''): string => {
    const iv = randomBytes(12)
    const c = createCipheriv('aes-256-gcm', cmk(keyId), iv)
    c.setAAD(Buffer.from(ctx))
    const data = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()])
    return [Buffer.from(keyId), iv, data].map(b64).join('-k-')
  }
  const unwrap = (blob: string, ctx = ''): { keyId: string; plaintext: Uint8Array } => {
    const invalid = () => refused('InvalidParameterValue.InvalidCiphertext', 'ERR_KMS_INVALID_CIPHERTEXT')
    const parts = blob.split('-k-')
    if (parts.length !== 3) throw invalid()
    const [id, iv, data] = parts.map((p) => Buffer.from(p, 'base64')) as [Buffer, Buffer, Buffer]
    const key = cmks.get(id.toString())
    if (!key || iv.length !== 12 || data.length < 16) throw invalid()
    try {
      const d = createDecipheriv('aes-256-gcm', key, iv)
      d.setAAD(Buffer.from(ctx))
      d.setAuthTag(data.subarray(data.length - 16))
      const plain = Buffer.concat([d.update(data.subarray(0, data.length - 16)), d.final()])
      const out = new Uint8Array(plain)
      plain.fill(0)
      handedOut.push(out)
      return { keyId: id.toString(), plaintext: out }
    } catch {
      throw invalid()
    }
  }
  return {
    name: 'tencent',
    region: 'ap-guangzhou',
    handedOut,
    calls,
    async generateDataKey(req) {
      note('GenerateDataKey')
      const plaintext = new Uint8Array(randomBytes(32))
      const ciphertextBlob = wrap(req.keyId, plaintext, req.encryptionContext)
      handedOut.push(plaintext)
      return { keyId: req.keyId, plaintext, ciphertextBlob, requestId: 'fake-request-id' }
    },
    async decrypt(req) {
      note('Decrypt')
      const { keyId, plaintext } = unwrap(req.ciphertextBlob, req.encryptionContext)
      return { keyId, plaintext, requestId: 'fake-request-id' }
    },
    async encrypt(req) {
      note('Encrypt')
      return { keyId: req.keyId, ciphertextBlob: wrap(req.keyId, req.plaintext, req.encryptionContext) }
    },
    async reEncrypt(req) {
      note('ReEncrypt')
      const { keyId, plaintext } = unwrap(req.ciphertextBlob, req.sourceEncryptionContext)
      const dest = req.destinationKeyId || keyId
      const ciphertextBlob = wrap(dest, plaintext, req.destinationEncryptionContext)
      plaintext.fill(0)
      return { ciphertextBlob, keyId: dest, sourceKeyId: keyId, reEncrypted: true }
    },
  }
}
