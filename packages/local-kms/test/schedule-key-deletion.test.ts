import { describe, expect, it } from 'vitest'
import { day, useFrozenClockKms } from './helpers/frozen-clock.js'
import { errorCode, rawRequest } from './helpers/raw.js'
import { createKey } from './helpers/sdk.js'

const kms = useFrozenClockKms()

describe('ScheduleKeyDeletion', () => {
  it('needs a Disabled key (CmkShouldBeDisabled otherwise)', async () => {
    const { keyId } = await createKey(kms.sdk, 'del-on')
    const error = await kms.sdk.fail('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    expect(error.code).toBe('ResourceUnavailable.CmkShouldBeDisabled')
  })

  it('puts a Disabled key in PendingDelete with DeletionDate = now + N days', async () => {
    const { keyId } = await createKey(kms.sdk, 'del')
    await kms.sdk.call('DisableKey', { KeyId: keyId })
    const now = kms.startSeconds
    const res = await kms.sdk.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 10 })
    expect(res).toEqual({ DeletionDate: expect.any(Number), KeyId: keyId, RequestId: expect.any(String) })
    expect(res.DeletionDate).toBe(now + 10 * day)
    expect((await kms.sdk.fail('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })).code).toBe(
      'ResourceUnavailable.CmkStateNotSupport',
    )
  })

  it.each([
    [{ PendingWindowInDays: 6 }, 'InvalidParameter.InvalidPendingWindowInDays'],
    [{ PendingWindowInDays: 31 }, 'InvalidParameter.InvalidPendingWindowInDays'],
    [{ PendingWindowInDays: 'seven' }, 'InvalidParameter'],
    [{}, 'MissingParameter'],
  ])('rejects %j with %s', async (params, code) => {
    const { keyId } = await createKey(kms.sdk, 'del-bad')
    await kms.sdk.call('DisableKey', { KeyId: keyId })
    expect((await kms.sdk.fail('ScheduleKeyDeletion', { KeyId: keyId, ...params })).code).toBe(code)
  })

  it('deletes the key for good once DeletionDate has passed', async () => {
    const { keyId, alias } = await createKey(kms.sdk, 'del-gone')
    await kms.sdk.call('DisableKey', { KeyId: keyId })
    await kms.sdk.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    await kms.later(7 * day + 60, async (timestamp) => {
      const body = JSON.stringify({ KeyId: keyId })
      const res = await rawRequest(kms.server.port, { action: 'DescribeKey', body, timestamp })
      expect(errorCode(res)).toBe('ResourceUnavailable.CmkNotFound')
      const recreate = await rawRequest(kms.server.port, {
        action: 'CreateKey',
        body: JSON.stringify({ Alias: alias }),
        timestamp,
      })
      expect(errorCode(recreate)).toBeUndefined()
    })
  })
})
