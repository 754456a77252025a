import { describe, expect, it } from 'vitest'
import { decodeBlob } from '../src/keys/blob.js'
import { createAsymmetricKey } from './helpers/asymmetric.js'
import { b64, createKey, unb64 } from './helpers/sdk.js'
import { useTestKms } from './helpers/use-kms.js'

const kms = useTestKms()

describe('RotateKey', () => {
  it('adds a key version: new blobs use it, every older blob still decrypts', async () => {
    const { keyId } = await createKey(kms.sdk, 'rot')
    const blobs: string[] = []
    for (let i = 0; i < 3; i++) {
      blobs.push((await kms.sdk.call('Encrypt', { KeyId: keyId, Plaintext: b64(`v${i + 1}`) })).CiphertextBlob)
      expect(await kms.sdk.call('RotateKey', { KeyId: keyId })).toEqual({ RequestId: expect.any(String) })
    }
    const latest = (await kms.sdk.call('Encrypt', { KeyId: keyId, Plaintext: b64('v4') })).CiphertextBlob
    expect(blobs.map((b) => decodeBlob(b).version)).toEqual([1, 2, 3])
    expect(decodeBlob(latest).version).toBe(4)
    for (const [i, CiphertextBlob] of blobs.entries()) {
      expect(unb64((await kms.sdk.call('Decrypt', { CiphertextBlob })).Plaintext)).toBe(`v${i + 1}`)
    }
    const meta = (await kms.sdk.call('DescribeKey', { KeyId: keyId })).KeyMetadata
    expect(meta.LastRotateTime).toBeGreaterThan(0)
  })

  it('refuses Disabled (CmkDisabled) and PendingDelete (CmkStateNotSupport) keys', async () => {
    const { keyId } = await createKey(kms.sdk, 'rot-off')
    await kms.sdk.call('DisableKey', { KeyId: keyId })
    expect((await kms.sdk.fail('RotateKey', { KeyId: keyId })).code).toBe('ResourceUnavailable.CmkDisabled')
    await kms.sdk.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    expect((await kms.sdk.fail('RotateKey', { KeyId: keyId })).code).toBe('ResourceUnavailable.CmkStateNotSupport')
  })

  it('refuses asymmetric keys (UnsupportedOperation.RotateNotSupported); their public key stays', async () => {
    for (const usage of ['ASYMMETRIC_DECRYPT_RSA_2048', 'ASYMMETRIC_DECRYPT_SM2'] as const) {
      const asym = await createAsymmetricKey(kms.sdk, usage)
      expect((await kms.sdk.fail('RotateKey', { KeyId: asym.keyId })).code).toBe(
        'UnsupportedOperation.RotateNotSupported',
      )
      expect((await kms.sdk.call('GetPublicKey', { KeyId: asym.keyId })).PublicKey).toBe(asym.publicKey)
    }
  })

  it.each([
    [{}, 'MissingParameter'],
    [{ KeyId: '/' }, 'InvalidParameterValue.InvalidKeyId'],
    [{ KeyId: 'unknown-key' }, 'ResourceUnavailable.CmkNotFound'],
  ])('rejects %j with %s', async (params, code) => {
    expect((await kms.sdk.fail('RotateKey', params)).code).toBe(code)
  })
})
