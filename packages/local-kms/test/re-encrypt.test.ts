import { describe, expect, it } from 'vitest'
import { createAsymmetricKey } from './helpers/asymmetric.js'
import { b64, createKey, unb64 } from './helpers/sdk.js'
import { useTestKms } from './helpers/use-kms.js'

const kms = useTestKms()

async function encrypted(keyId: string, text: string, EncryptionContext?: string): Promise<string> {
  const res = await kms.sdk.call('Encrypt', {
    KeyId: keyId,
    Plaintext: b64(text),
    ...(EncryptionContext ? { EncryptionContext } : {}),
  })
  return res.CiphertextBlob
}

describe('ReEncrypt', () => {
  it('returns the original blob unchanged (ReEncrypted false) when nothing would change', async () => {
    const { keyId } = await createKey(kms.sdk, 're')
    const blob = await encrypted(keyId, 'same')
    const res = await kms.sdk.call('ReEncrypt', { CiphertextBlob: blob })
    expect(res).toEqual({
      CiphertextBlob: blob,
      KeyId: keyId,
      SourceKeyId: keyId,
      ReEncrypted: false,
      RequestId: expect.any(String),
    })
  })

  it('re-encrypts under the new version after RotateKey', async () => {
    const { keyId } = await createKey(kms.sdk, 're-rot')
    const blob = await encrypted(keyId, 'rotated')
    await kms.sdk.call('RotateKey', { KeyId: keyId })
    const res = await kms.sdk.call('ReEncrypt', { CiphertextBlob: blob })
    expect(res.ReEncrypted).toBe(true)
    expect(res.CiphertextBlob).not.toBe(blob)
    expect(unb64((await kms.sdk.call('Decrypt', { CiphertextBlob: res.CiphertextBlob })).Plaintext)).toBe('rotated')
    expect((await kms.sdk.call('ReEncrypt', { CiphertextBlob: res.CiphertextBlob })).ReEncrypted).toBe(false)
  })

  it('moves a blob to another key and another context', async () => {
    const source = await createKey(kms.sdk, 're-src')
    const destination = await createKey(kms.sdk, 're-dst')
    const sourceCtx = JSON.stringify({ a: '1' })
    const destinationCtx = JSON.stringify({ b: '2' })
    const blob = await encrypted(source.keyId, 'moved', sourceCtx)
    const res = await kms.sdk.call('ReEncrypt', {
      CiphertextBlob: blob,
      DestinationKeyId: `alias/${destination.alias}`,
      SourceEncryptionContext: sourceCtx,
      DestinationEncryptionContext: destinationCtx,
    })
    expect(res).toMatchObject({ KeyId: destination.keyId, SourceKeyId: source.keyId, ReEncrypted: true })
    const dec = await kms.sdk.call('Decrypt', { CiphertextBlob: res.CiphertextBlob, EncryptionContext: destinationCtx })
    expect(dec).toMatchObject({ KeyId: destination.keyId, Plaintext: b64('moved') })
  })

  it('re-encrypts on the same key when only the context changes', async () => {
    const { keyId } = await createKey(kms.sdk, 're-ctx')
    const blob = await encrypted(keyId, 'ctx', '{"x":"1"}')
    const res = await kms.sdk.call('ReEncrypt', { CiphertextBlob: blob, SourceEncryptionContext: '{"x":"1"}' })
    expect(res.ReEncrypted).toBe(true)
    expect(unb64((await kms.sdk.call('Decrypt', { CiphertextBlob: res.CiphertextBlob })).Plaintext)).toBe('ctx')
  })

  it('refuses an asymmetric destination key (InvalidParameterValue.InvalidKeyUsage)', async () => {
    const { keyId } = await createKey(kms.sdk, 're-asym')
    const blob = await encrypted(keyId, 'to-asym')
    for (const usage of ['ASYMMETRIC_DECRYPT_RSA_2048', 'ASYMMETRIC_DECRYPT_SM2'] as const) {
      const asym = await createAsymmetricKey(kms.sdk, usage)
      const error = await kms.sdk.fail('ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: asym.keyId })
      expect(error.code).toBe('InvalidParameterValue.InvalidKeyUsage')
    }
  })

  it('rejects bad input and unusable keys', async () => {
    const { keyId } = await createKey(kms.sdk, 're-bad')
    const blob = await encrypted(keyId, 'x', '{"x":"1"}')
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'MissingParameter'],
      [{ CiphertextBlob: 'nope' }, 'InvalidParameterValue.InvalidCiphertext'],
      [{ CiphertextBlob: blob }, 'InvalidParameterValue.InvalidCiphertext'],
      [
        { CiphertextBlob: blob, SourceEncryptionContext: '{"x":"1"}', DestinationKeyId: 'bad id' },
        'InvalidParameterValue.InvalidKeyId',
      ],
      [
        { CiphertextBlob: blob, SourceEncryptionContext: '{"x":"1"}', DestinationKeyId: 'missing' },
        'ResourceUnavailable.CmkNotFound',
      ],
    ]
    for (const [params, code] of cases) expect((await kms.sdk.fail('ReEncrypt', params)).code).toBe(code)
    const off = await createKey(kms.sdk, 're-off')
    await kms.sdk.call('DisableKey', { KeyId: off.keyId })
    const res = await kms.sdk.fail('ReEncrypt', {
      CiphertextBlob: blob,
      SourceEncryptionContext: '{"x":"1"}',
      DestinationKeyId: off.keyId,
    })
    expect(res.code).toBe('ResourceUnavailable.CmkDisabled')
  })
})
