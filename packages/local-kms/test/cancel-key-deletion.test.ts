import { describe, expect, it } from 'vitest'
import { createKey } from './helpers/sdk.js'
import { useTestKms } from './helpers/use-kms.js'

const kms = useTestKms()

describe('CancelKeyDeletion', () => {
  it('returns a PendingDelete key to Disabled (not Enabled) and clears DeletionDate', async () => {
    const { keyId } = await createKey(kms.sdk, 'cancel')
    await kms.sdk.call('DisableKey', { KeyId: keyId })
    await kms.sdk.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    expect(await kms.sdk.call('CancelKeyDeletion', { KeyId: keyId })).toEqual({
      KeyId: keyId,
      RequestId: expect.any(String),
    })
    const meta = (await kms.sdk.call('DescribeKey', { KeyId: keyId })).KeyMetadata
    expect(meta).toMatchObject({ KeyState: 'Disabled', DeletionDate: 0 })
  })

  it('refuses a key that is not pending deletion', async () => {
    const { keyId } = await createKey(kms.sdk, 'cancel-no')
    expect((await kms.sdk.fail('CancelKeyDeletion', { KeyId: keyId })).code).toBe(
      'ResourceUnavailable.CmkNotPendingDelete',
    )
  })

  it.each([
    [{}, 'MissingParameter'],
    [{ KeyId: '?' }, 'InvalidParameterValue.InvalidKeyId'],
    [{ KeyId: 'unknown-key' }, 'ResourceUnavailable.CmkNotFound'],
  ])('rejects %j with %s', async (params, code) => {
    expect((await kms.sdk.fail('CancelKeyDeletion', params)).code).toBe(code)
  })
})
