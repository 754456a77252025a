import { describe, expect, it } from 'vitest'
import { createKey } from './helpers/sdk.js'
import { useTestKms } from './helpers/use-kms.js'

const kms = useTestKms()

describe('DisableKeyRotation', () => {
  it('turns rotation off and clears NextRotateTime', async () => {
    const { keyId } = await createKey(kms.sdk, 'dr')
    await kms.sdk.call('EnableKeyRotation', { KeyId: keyId, RotateDays: 30 })
    expect(await kms.sdk.call('DisableKeyRotation', { KeyId: keyId })).toEqual({ RequestId: expect.any(String) })
    const meta = (await kms.sdk.call('DescribeKey', { KeyId: keyId })).KeyMetadata
    expect(meta).toMatchObject({ KeyRotationEnabled: false, NextRotateTime: 0 })
    await kms.sdk.call('DisableKeyRotation', { KeyId: keyId })
  })

  it('refuses a key pending deletion', async () => {
    const { keyId } = await createKey(kms.sdk, 'dr-pd')
    await kms.sdk.call('DisableKey', { KeyId: keyId })
    await kms.sdk.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    expect((await kms.sdk.fail('DisableKeyRotation', { KeyId: keyId })).code).toBe(
      'ResourceUnavailable.CmkStateNotSupport',
    )
  })

  it.each([
    [{}, 'MissingParameter'],
    [{ KeyId: 'unknown-key' }, 'ResourceUnavailable.CmkNotFound'],
  ])('rejects %j with %s', async (params, code) => {
    expect((await kms.sdk.fail('DisableKeyRotation', params)).code).toBe(code)
  })
})
