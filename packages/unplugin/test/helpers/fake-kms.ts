import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto'
import { type KmsProvider, KmsSecretsError } from '@kms-secrets/core'

/**
 * Deterministic in-memory KMS. It checks what it receives (a known KeyId, an EncryptionContext that is canonical
 * JSON of strings carrying `"kms-secrets": "1"`) and records every call, so tests can count GenerateDataKey calls.
 * Data keys and wrapping IVs come from a counter: a fresh fake with the same seed reproduces every byte.
 */
export interface FakeKms extends KmsProvider {
  calls: { action: string; keyId?: string; encryptionContext?: string }[]
  count(action: string): number
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64')

function checkContext(ctx: string | undefined): void {
  const parsed = JSON.parse(ctx ?? 'null') as Record<string, unknown> | null
  const ok =
    parsed !== null &&
    parsed['kms-secrets'] === '1' &&
    Object.values(parsed).every((v) => typeof v === 'string') &&
    JSON.stringify(Object.fromEntries(Object.entries(parsed).sort(([a], [b]) => (a < b ? -1 : 1)))) === ctx
  if (!ok) throw new KmsSecretsError('ERR_KMS_INVALID_PARAMETER', 'fake KMS: EncryptionContext is not canonical.')
}

export function createFakeKms(seed = 'unplugin-test', keys = ['key-a', 'key-b']): FakeKms {
  let counter = 0
  const derive = (...parts: string[]) => createHmac('sha256', seed).update(parts.join('\0')).digest()
  const calls: FakeKms['calls'] = []
  const useKey = (keyId: string) => {
    if (!keys.includes(keyId)) throw new KmsSecretsError('ERR_KMS_KEY_NOT_FOUND', `fake KMS: no key ${keyId}.`)
  }
  const wrap = (keyId: string, plaintext: Uint8Array, ctx: string | undefined) => {
    const iv = derive('iv', String(counter++)).subarray(0, 12)
    const c = createCipheriv('aes-256-gcm', derive('cmk', keyId), iv).setAAD(Buffer.from(ctx ?? ''))
    const data = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()])
    return `${b64(Buffer.from(keyId))}-k-${b64(iv)}-k-${b64(data)}`
  }
  const unwrap = (blob: string, ctx: string | undefined) => {
    const [k, iv, body] = blob.split('-k-').map((p) => Buffer.from(p, 'base64'))
    const keyId = k!.toString()
    useKey(keyId)
    const d = createDecipheriv('aes-256-gcm', derive('cmk', keyId), iv!).setAAD(Buffer.from(ctx ?? ''))
    d.setAuthTag(body!.subarray(body!.length - 16))
    return { keyId, plaintext: new Uint8Array(Buffer.concat([d.update(body!.subarray(0, -16)), d.final()])) }
  }
  return {
    name: 'tencent',
    region: 'ap-test',
    calls,
    count: (action) => calls.filter((c) => c.action === action).length,
    async generateDataKey(req) {
      calls.push({ action: 'GenerateDataKey', keyId: req.keyId, encryptionContext: req.encryptionContext })
      useKey(req.keyId)
      checkContext(req.encryptionContext)
      const plaintext = new Uint8Array(derive('dk', String(counter++)))
      return { keyId: req.keyId, plaintext, ciphertextBlob: wrap(req.keyId, plaintext, req.encryptionContext) }
    },
    async decrypt(req) {
      calls.push({ action: 'Decrypt', encryptionContext: req.encryptionContext })
      checkContext(req.encryptionContext)
      return unwrap(req.ciphertextBlob, req.encryptionContext)
    },
    async encrypt(req) {
      calls.push({ action: 'Encrypt', keyId: req.keyId })
      useKey(req.keyId)
      return { keyId: req.keyId, ciphertextBlob: wrap(req.keyId, req.plaintext, req.encryptionContext) }
    },
    async reEncrypt() {
      throw new KmsSecretsError('ERR_KMS_REQUEST', 'fake KMS: ReEncrypt is not used by the plugin.')
    },
  }
}

/** A provider that fails the test if the plugin calls KMS at all (sealed-on-disk builds). */
export function createForbiddenKms(): KmsProvider {
  const no = async (): Promise<never> => {
    throw new Error('KMS must not be called')
  }
  return { name: 'tencent', region: 'ap-test', generateDataKey: no, decrypt: no, encrypt: no, reEncrypt: no }
}

/** Counter IVs for reproducible sealing (tests only; production IVs are random). */
/** Counter-based 32-byte v2 salts (for stable snapshots only). */
export function counterSalt(): () => Uint8Array {
  let n = 0
  return () => {
    const salt = new Uint8Array(32)
    new DataView(salt.buffer).setUint32(28, ++n)
    return salt
  }
}

export function counterIv(): () => Uint8Array {
  let n = 0
  return () => {
    const iv = new Uint8Array(12)
    new DataView(iv.buffer).setUint32(8, ++n)
    return iv
  }
}
