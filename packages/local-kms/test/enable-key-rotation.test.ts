import { describe, expect, it } from 'vitest'
import { decodeBlob } from '../src/keys/blob.js'
import { createAsymmetricKey } from './helpers/asymmetric.js'
import { day, useFrozenClockKms } from './helpers/frozen-clock.js'
import { rawRequest } from './helpers/raw.js'
import { b64, createKey } from './helpers/sdk.js'

const kms = useFrozenClockKms()

describe('EnableKeyRotation', () => {
  it('turns on rotation (default 365 days) and sets NextRotateTime', async () => {
    const { keyId } = await createKey(kms.sdk, 'er')
    const now = kms.startSeconds
    expect(await kms.sdk.call('EnableKeyRotation', { KeyId: keyId })).toEqual({ RequestId: expect.any(String) })
    const meta = (await kms.sdk.call('DescribeKey', { KeyId: keyId })).KeyMetadata
    expect(meta).toMatchObject({ KeyRotationEnabled: true, RotateDays: 365 })
    expect(meta.NextRotateTime).toBe(now + 365 * day)
  })

  it('rotates automatically once NextRotateTime has passed; old blobs still decrypt', async () => {
    const { keyId } = await createKey(kms.sdk, 'er-auto')
    await kms.sdk.call('EnableKeyRotation', { KeyId: keyId, RotateDays: 7 })
    const before = (await kms.sdk.call('Encrypt', { KeyId: keyId, Plaintext: b64('old') })).CiphertextBlob
    await kms.later(7 * day + 10, async (timestamp) => {
      const res = await rawRequest(kms.server.port, {
        action: 'Encrypt',
        body: JSON.stringify({ KeyId: keyId, Plaintext: b64('new') }),
        timestamp,
      })
      expect(decodeBlob(before).version).toBe(1)
      expect(decodeBlob(res.json.Response.CiphertextBlob).version).toBe(2)
      const dec = await rawRequest(kms.server.port, {
        action: 'Decrypt',
        body: JSON.stringify({ CiphertextBlob: before }),
        timestamp,
      })
      expect(dec.json.Response.Plaintext).toBe(b64('old'))
    })
  })

  it.each([
    [{ RotateDays: 6 }, 'InvalidParameterValue'],
    [{ RotateDays: 366 }, 'InvalidParameterValue'],
    [{ RotateDays: '30' }, 'InvalidParameter'],
  ])('rejects %j with %s', async (params, code) => {
    const { keyId } = await createKey(kms.sdk, 'er-bad')
    expect((await kms.sdk.fail('EnableKeyRotation', { KeyId: keyId, ...params })).code).toBe(code)
  })

  it('refuses asymmetric keys (UnsupportedOperation.RotateNotSupported)', async () => {
    for (const usage of ['ASYMMETRIC_DECRYPT_RSA_2048', 'ASYMMETRIC_DECRYPT_SM2'] as const) {
      const asym = await createAsymmetricKey(kms.sdk, usage)
      const error = await kms.sdk.fail('EnableKeyRotation', { KeyId: asym.keyId })
      expect(error.code).toBe('UnsupportedOperation.RotateNotSupported')
      expect((await kms.sdk.call('GetKeyRotationStatus', { KeyId: asym.keyId })).KeyRotationEnabled).toBe(false)
    }
  })

  it('needs an Enabled key', async () => {
    const { keyId } = await createKey(kms.sdk, 'er-off')
    await kms.sdk.call('DisableKey', { KeyId: keyId })
    expect((await kms.sdk.fail('EnableKeyRotation', { KeyId: keyId })).code).toBe(
      'ResourceUnavailable.CmkStateNotSupport',
    )
    expect((await kms.sdk.fail('EnableKeyRotation', { KeyId: 'unknown-key' })).code).toBe(
      'ResourceUnavailable.CmkNotFound',
    )
  })
})
