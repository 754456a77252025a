import { beforeAll, describe, expect, it } from 'vitest'
import { createAsymmetricKey } from './helpers/asymmetric.js'
import { b64, createKey, unb64 } from './helpers/sdk.js'
import { useTestKms } from './helpers/use-kms.js'

const kms = useTestKms()
let keyId: string
let alias: string

beforeAll(async () => {
  ;({ keyId, alias } = await createKey(kms.sdk, 'enc'))
})

const blobRE = /^[A-Za-z0-9+/]+={0,2}-k-[A-Za-z0-9+/]+={0,2}-k-[A-Za-z0-9+/]+={0,2}$/

describe('Encrypt', () => {
  it('returns an opaque a-k-b-k-c CiphertextBlob and the KeyId; Decrypt gives the plaintext back', async () => {
    const res = await kms.sdk.call('Encrypt', { KeyId: keyId, Plaintext: b64('hello world') })
    expect(res).toEqual({ CiphertextBlob: expect.stringMatching(blobRE), KeyId: keyId, RequestId: expect.any(String) })
    expect(Buffer.from(res.CiphertextBlob, 'base64').toString('base64')).not.toBe(res.CiphertextBlob)
    const dec = await kms.sdk.call('Decrypt', { CiphertextBlob: res.CiphertextBlob })
    expect(unb64(dec.Plaintext)).toBe('hello world')
    expect(dec.KeyId).toBe(keyId)
  })

  it('accepts the key as alias/<name> and as a bare alias', async () => {
    for (const ref of [`alias/${alias}`, alias]) {
      const res = await kms.sdk.call('Encrypt', { KeyId: ref, Plaintext: b64('x') })
      expect(res.KeyId).toBe(keyId)
    }
  })

  it('encrypts exactly 4096 bytes and the same plaintext differently each time', async () => {
    const big = b64(Buffer.alloc(4096, 7))
    const a = await kms.sdk.call('Encrypt', { KeyId: keyId, Plaintext: big })
    const b = await kms.sdk.call('Encrypt', { KeyId: keyId, Plaintext: big })
    expect(a.CiphertextBlob).not.toBe(b.CiphertextBlob)
    expect((await kms.sdk.call('Decrypt', { CiphertextBlob: a.CiphertextBlob })).Plaintext).toBe(big)
  })

  it('binds EncryptionContext: the same context (any key order) decrypts, another one or none does not', async () => {
    const ctx = JSON.stringify({ app: 'web', env: 'prod' })
    const { CiphertextBlob } = await kms.sdk.call('Encrypt', {
      KeyId: keyId,
      Plaintext: b64('ctx'),
      EncryptionContext: ctx,
    })
    const swapped = JSON.stringify({ env: 'prod', app: 'web' })
    expect(unb64((await kms.sdk.call('Decrypt', { CiphertextBlob, EncryptionContext: swapped })).Plaintext)).toBe('ctx')
    for (const other of [undefined, '{}', JSON.stringify({ app: 'web', env: 'dev' })]) {
      const error = await kms.sdk.fail('Decrypt', { CiphertextBlob, ...(other ? { EncryptionContext: other } : {}) })
      expect(error.code).toBe('InvalidParameterValue.InvalidCiphertext')
    }
  })

  it.each([
    [{ Plaintext: 'eA==' }, 'MissingParameter'],
    [{ KeyId: 'K' }, 'MissingParameter'],
    [{ KeyId: 'K', Plaintext: 5 }, 'InvalidParameter'],
    [{ KeyId: 'bad id!', Plaintext: 'eA==' }, 'InvalidParameterValue.InvalidKeyId'],
    [{ KeyId: 'no-such-key', Plaintext: 'eA==' }, 'ResourceUnavailable.CmkNotFound'],
    [{ KeyId: 'KEY', Plaintext: 'not base64!' }, 'InvalidParameterValue.InvalidPlaintext'],
    [{ KeyId: 'KEY', Plaintext: 'eA' }, 'InvalidParameterValue.InvalidPlaintext'],
    [{ KeyId: 'KEY', Plaintext: b64(Buffer.alloc(4097)) }, 'InvalidParameterValue.InvalidPlaintext'],
    [{ KeyId: 'KEY', Plaintext: 'eA==', EncryptionContext: 'x'.repeat(1025) }, 'InvalidParameterValue'],
    [{ KeyId: 'KEY', Plaintext: 'eA==', EncryptionContext: 'not json' }, 'InvalidParameter'],
    [{ KeyId: 'KEY', Plaintext: 'eA==', EncryptionContext: '["a"]' }, 'InvalidParameter'],
    [{ KeyId: 'KEY', Plaintext: 'eA==', EncryptionContext: '{"n":1}' }, 'InvalidParameter'],
    [{ KeyId: 'KEY', Plaintext: 'eA==', Extra: 'x' }, 'UnknownParameter'],
  ])('rejects %j with %s', async (params, code) => {
    const p = { ...params } as Record<string, unknown>
    if (p.KeyId === 'KEY') p.KeyId = keyId
    expect((await kms.sdk.fail('Encrypt', p)).code).toBe(code)
  })

  it('accepts an EncryptionContext of exactly 1024 characters', async () => {
    const ctx = JSON.stringify({ k: 'v'.repeat(1024 - 8) })
    expect(ctx.length).toBe(1024)
    await kms.sdk.call('Encrypt', { KeyId: keyId, Plaintext: 'eA==', EncryptionContext: ctx })
  })

  it('refuses a Disabled key (CmkDisabled) and a key pending deletion (CmkStateNotSupport)', async () => {
    const k = await createKey(kms.sdk, 'enc-state')
    await kms.sdk.call('DisableKey', { KeyId: k.keyId })
    expect((await kms.sdk.fail('Encrypt', { KeyId: k.keyId, Plaintext: 'eA==' })).code).toBe(
      'ResourceUnavailable.CmkDisabled',
    )
    await kms.sdk.call('ScheduleKeyDeletion', { KeyId: k.keyId, PendingWindowInDays: 7 })
    expect((await kms.sdk.fail('Encrypt', { KeyId: k.keyId, Plaintext: 'eA==' })).code).toBe(
      'ResourceUnavailable.CmkStateNotSupport',
    )
  })

  it.each(['ASYMMETRIC_DECRYPT_RSA_2048', 'ASYMMETRIC_DECRYPT_SM2'] as const)(
    'refuses an %s key (InvalidParameterValue.InvalidKeyUsage)',
    async (usage) => {
      const asym = await createAsymmetricKey(kms.sdk, usage)
      expect((await kms.sdk.fail('Encrypt', { KeyId: asym.keyId, Plaintext: 'eA==' })).code).toBe(
        'InvalidParameterValue.InvalidKeyUsage',
      )
    },
  )

  it('never echoes the plaintext in an error message', async () => {
    const error = await kms.sdk.fail('Encrypt', { KeyId: keyId, Plaintext: 'SECRETVALUE!!' })
    expect(error.message).not.toContain('SECRETVALUE')
  })
})
