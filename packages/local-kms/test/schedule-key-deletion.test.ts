import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorCode, rawRequest } from './helpers/raw.js'
import { createKey, createSdkClient, type SdkClient } from './helpers/sdk.js'
import { startTestKms, type TestKms } from './helpers/server.js'

let server: TestKms
let sdk: SdkClient
let offsetMs = 0
/** The server clock stands still at this second (plus `offsetMs`), so dates are exact; the SDK signs with wall time,
 * which stays inside the 5-minute window while the file runs. */
const startSeconds = Math.floor(Date.now() / 1000)
const day = 86_400

beforeAll(async () => {
  server = await startTestKms({ clock: () => startSeconds * 1000 + offsetMs })
  sdk = createSdkClient(server.port)
})
afterAll(async () => {
  sdk.close()
  await server.stop()
})

describe('ScheduleKeyDeletion', () => {
  it('needs a Disabled key (CmkShouldBeDisabled otherwise)', async () => {
    const { keyId } = await createKey(sdk, 'del-on')
    const error = await sdk.fail('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    expect(error.code).toBe('ResourceUnavailable.CmkShouldBeDisabled')
  })

  it('puts a Disabled key in PendingDelete with DeletionDate = now + N days', async () => {
    const { keyId } = await createKey(sdk, 'del')
    await sdk.call('DisableKey', { KeyId: keyId })
    const now = startSeconds
    const res = await sdk.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 10 })
    expect(res).toEqual({ DeletionDate: expect.any(Number), KeyId: keyId, RequestId: expect.any(String) })
    expect(res.DeletionDate).toBe(now + 10 * day)
    expect((await sdk.fail('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })).code).toBe(
      'ResourceUnavailable.CmkStateNotSupport',
    )
  })

  it.each([
    [{ PendingWindowInDays: 6 }, 'InvalidParameter.InvalidPendingWindowInDays'],
    [{ PendingWindowInDays: 31 }, 'InvalidParameter.InvalidPendingWindowInDays'],
    [{ PendingWindowInDays: 'seven' }, 'InvalidParameter'],
    [{}, 'MissingParameter'],
  ])('rejects %j with %s', async (params, code) => {
    const { keyId } = await createKey(sdk, 'del-bad')
    await sdk.call('DisableKey', { KeyId: keyId })
    expect((await sdk.fail('ScheduleKeyDeletion', { KeyId: keyId, ...params })).code).toBe(code)
  })

  it('deletes the key for good once DeletionDate has passed', async () => {
    const { keyId, alias } = await createKey(sdk, 'del-gone')
    await sdk.call('DisableKey', { KeyId: keyId })
    await sdk.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    offsetMs = (7 * day + 60) * 1000
    const timestamp = startSeconds + offsetMs / 1000
    const body = JSON.stringify({ KeyId: keyId })
    const res = await rawRequest(server.port, { action: 'DescribeKey', body, timestamp })
    expect(errorCode(res)).toBe('ResourceUnavailable.CmkNotFound')
    const recreate = await rawRequest(server.port, {
      action: 'CreateKey',
      body: JSON.stringify({ Alias: alias }),
      timestamp,
    })
    expect(errorCode(recreate)).toBeUndefined()
    offsetMs = 0
  })
})
