import { describe, expect, it } from 'vitest'
import { createKey } from './helpers/sdk.js'
import { useTestKms } from './helpers/use-kms.js'

const kms = useTestKms()

describe('GetKeyRotationStatus', () => {
  it('reports KeyRotationEnabled as rotation is switched on and off', async () => {
    const { keyId } = await createKey(kms.sdk, 'gs')
    expect(await kms.sdk.call('GetKeyRotationStatus', { KeyId: keyId })).toMatchObject({
      KeyRotationEnabled: false,
      RequestId: expect.any(String),
    })
    await kms.sdk.call('EnableKeyRotation', { KeyId: keyId, RotateDays: 90 })
    expect(await kms.sdk.call('GetKeyRotationStatus', { KeyId: keyId })).toMatchObject({
      KeyRotationEnabled: true,
      RotateDays: 90,
    })
    await kms.sdk.call('DisableKeyRotation', { KeyId: keyId })
    expect((await kms.sdk.call('GetKeyRotationStatus', { KeyId: keyId })).KeyRotationEnabled).toBe(false)
  })

  it.each([
    [{}, 'MissingParameter'],
    [{ KeyId: 'no such' }, 'InvalidParameterValue.InvalidKeyId'],
    [{ KeyId: 'unknown-key' }, 'ResourceUnavailable.CmkNotFound'],
  ])('rejects %j with %s', async (params, code) => {
    expect((await kms.sdk.fail('GetKeyRotationStatus', params)).code).toBe(code)
  })
})
