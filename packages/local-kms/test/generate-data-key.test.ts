import { beforeAll, describe, expect, it } from 'vitest'
import { createAsymmetricKey } from './helpers/asymmetric.js'
import { createKey } from './helpers/sdk.js'
import { useTestKms } from './helpers/use-kms.js'

const kms = useTestKms()
let keyId: string

beforeAll(async () => {
  ;({ keyId } = await createKey(kms.sdk, 'gdk'))
})

const bytesOf = (b64: string) => Buffer.from(b64, 'base64').length

describe('GenerateDataKey', () => {
  it.each([
    [{ KeySpec: 'AES_256' }, 32],
    [{ KeySpec: 'AES_128' }, 16],
    [{ NumberOfBytes: 1 }, 1],
    [{ NumberOfBytes: 1024 }, 1024],
    [{ KeySpec: 'AES_128', NumberOfBytes: 48 }, 48],
  ])('%j gives a data key of %i bytes whose blob decrypts to it', async (params, length) => {
    const res = await kms.sdk.call('GenerateDataKey', { KeyId: keyId, ...params })
    expect(res).toEqual({
      KeyId: keyId,
      Plaintext: expect.any(String),
      CiphertextBlob: expect.stringContaining('-k-'),
      RequestId: expect.any(String),
    })
    expect(bytesOf(res.Plaintext)).toBe(length)
    expect((await kms.sdk.call('Decrypt', { CiphertextBlob: res.CiphertextBlob })).Plaintext).toBe(res.Plaintext)
  })

  it('binds the EncryptionContext to the wrapped data key', async () => {
    const EncryptionContext = JSON.stringify({ 'kms-secrets': '1', app: 'demo' })
    const res = await kms.sdk.call('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256', EncryptionContext })
    const ok = await kms.sdk.call('Decrypt', { CiphertextBlob: res.CiphertextBlob, EncryptionContext })
    expect(ok.Plaintext).toBe(res.Plaintext)
    expect((await kms.sdk.fail('Decrypt', { CiphertextBlob: res.CiphertextBlob })).code).toBe(
      'InvalidParameterValue.InvalidCiphertext',
    )
  })

  it.each([
    [{}, 'MissingParameter'],
    [{ KeyId: 'KEY' }, 'MissingParameter'],
    [{ KeyId: 'KEY', KeySpec: 'AES_512' }, 'InvalidParameterValue'],
    [{ KeyId: 'KEY', NumberOfBytes: 0 }, 'InvalidParameterValue'],
    [{ KeyId: 'KEY', NumberOfBytes: 1025 }, 'InvalidParameterValue'],
    [{ KeyId: 'KEY', NumberOfBytes: 1.5 }, 'InvalidParameter'],
    [{ KeyId: 'KEY', NumberOfBytes: '32' }, 'InvalidParameter'],
    [{ KeyId: 'KEY', KeySpec: 'AES_256', IsHostedByKms: 1 }, 'UnsupportedOperation'],
    [{ KeyId: 'KEY', KeySpec: 'AES_256', EncryptionPublicKey: 'pem' }, 'UnsupportedOperation'],
    [{ KeyId: 'no/such', KeySpec: 'AES_256' }, 'InvalidParameterValue.InvalidKeyId'],
    [{ KeyId: 'missing-key', KeySpec: 'AES_256' }, 'ResourceUnavailable.CmkNotFound'],
  ])('rejects %j with %s', async (params, code) => {
    const p = { ...params } as Record<string, unknown>
    if (p.KeyId === 'KEY') p.KeyId = keyId
    expect((await kms.sdk.fail('GenerateDataKey', p)).code).toBe(code)
  })

  it.each(['ASYMMETRIC_DECRYPT_RSA_2048', 'ASYMMETRIC_DECRYPT_SM2'] as const)(
    'refuses an %s key (InvalidParameterValue.InvalidKeyUsage)',
    async (usage) => {
      const asym = await createAsymmetricKey(kms.sdk, usage)
      for (const params of [{ KeySpec: 'AES_256' }, { NumberOfBytes: 32 }]) {
        const error = await kms.sdk.fail('GenerateDataKey', { KeyId: asym.keyId, ...params })
        expect(error.code).toBe('InvalidParameterValue.InvalidKeyUsage')
      }
    },
  )

  it('refuses a Disabled key', async () => {
    const k = await createKey(kms.sdk, 'gdk-off')
    await kms.sdk.call('DisableKey', { KeyId: k.keyId })
    expect((await kms.sdk.fail('GenerateDataKey', { KeyId: k.keyId, KeySpec: 'AES_256' })).code).toBe(
      'ResourceUnavailable.CmkDisabled',
    )
  })
})
