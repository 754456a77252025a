import { createFakeKms } from '@kms-secrets/testkit/fake-kms'
import { describe, expect, it } from 'vitest'
import { createSealer, type DataKey, type KmsProvider, sealSecret } from '../src/index.js'

const payload = new TextEncoder().encode('v')

/** Wraps a provider to keep the data keys it hands out, so tests can check they get zeroed. */
function spying(inner: KmsProvider, overrides: Partial<KmsProvider> = {}) {
  const handed: DataKey[] = []
  const provider: KmsProvider = {
    ...inner,
    async generateDataKey(req, o) {
      const dk = await inner.generateDataKey(req, o)
      handed.push(dk)
      return dk
    },
    ...overrides,
  }
  return { provider, handed }
}

describe('createSealer', () => {
  it('does one GenerateDataKey even for concurrent first seals, zeroes the key on dispose', async () => {
    const kms = createFakeKms()
    const { provider, handed } = spying(kms)
    const sealer = createSealer({ provider, keyId: 'fake-key-1' })
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => sealer.seal({ id: `${i}.secret.txt`, format: 'text', payload })),
    )
    expect(handed).toHaveLength(1)
    expect(handed[0]!.plaintext.some((b) => b !== 0)).toBe(true)
    sealer.dispose()
    await Promise.resolve()
    expect(handed[0]!.plaintext.every((b) => b === 0)).toBe(true)
    sealer.dispose()
  })

  it('sealSecret zeroes the data key before returning', async () => {
    const { provider, handed } = spying(createFakeKms())
    await sealSecret({ provider, keyId: 'fake-key-1', id: 'a.secret.txt', format: 'text', payload })
    await Promise.resolve()
    expect(handed[0]!.plaintext.every((b) => b === 0)).toBe(true)
  })

  it('records the KeyId KMS reports (alias resolved) and the provider region', async () => {
    const kms = createFakeKms({ region: 'ap-shanghai' })
    const { provider } = spying(kms, {
      generateDataKey: async (req) => ({
        ...(await kms.generateDataKey({ ...req, keyId: 'fake-key-1' })),
        keyId: 'resolved-uuid',
      }),
    })
    const env = await sealSecret({ provider, keyId: 'alias/app', id: 'a.secret.txt', format: 'text', payload })
    expect(env.kms).toMatchObject({ keyId: 'resolved-uuid', region: 'ap-shanghai', provider: 'tencent' })
  })

  it('retries GenerateDataKey after a failure', async () => {
    const kms = createFakeKms()
    let fail = true
    const { provider } = spying(kms, {
      generateDataKey: async (req) => {
        if (fail) {
          fail = false
          throw Object.assign(new Error('boom'), { name: 'KmsSecretsError', code: 'ERR_KMS_THROTTLED' })
        }
        return kms.generateDataKey(req)
      },
    })
    const sealer = createSealer({ provider, keyId: 'fake-key-1' })
    await expect(sealer.seal({ id: 'a', format: 'text', payload })).rejects.toMatchObject({ code: 'ERR_KMS_THROTTLED' })
    await expect(sealer.seal({ id: 'a', format: 'text', payload })).resolves.toMatchObject({ id: 'a' })
    sealer.dispose()
  })

  it('passes KMS errors through typed (unknown key)', async () => {
    const sealer = createSealer({ provider: createFakeKms(), keyId: 'nope' })
    await expect(sealer.seal({ id: 'a', format: 'text', payload })).rejects.toMatchObject({
      code: 'ERR_KMS_KEY_NOT_FOUND',
    })
  })

  it('rejects a data key that is not 32 bytes', async () => {
    const kms = createFakeKms()
    const provider: KmsProvider = {
      ...kms,
      generateDataKey: async () => ({ keyId: 'k', plaintext: new Uint8Array(16), ciphertextBlob: 'b' }),
    }
    await expect(sealSecret({ provider, keyId: 'k', id: 'a', format: 'text', payload })).rejects.toMatchObject({
      code: 'ERR_KMS_REQUEST',
    })
  })

  it('validates context up-front and ids/formats when sealing', async () => {
    expect(() => createSealer({ provider: createFakeKms(), keyId: 'k', context: { a: 1 as never } })).toThrow(
      expect.objectContaining({ code: 'ERR_CONTEXT_INVALID' }),
    )
    const sealer = createSealer({ provider: createFakeKms(), keyId: 'fake-key-1' })
    await expect(sealer.seal({ id: '', format: 'text', payload })).rejects.toMatchObject({ code: 'ERR_ENVELOPE_FIELD' })
    await expect(sealer.seal({ id: 'a', format: 'xml' as never, payload })).rejects.toMatchObject({
      code: 'ERR_ENVELOPE_FIELD',
    })
    sealer.dispose()
  })
})
