import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKey, createSdkClient, type SdkClient } from './helpers/sdk.js'
import { startTestKms, type TestKms } from './helpers/server.js'

let server: TestKms
let sdk: SdkClient

beforeAll(async () => {
  server = await startTestKms()
  sdk = createSdkClient(server.port)
})
afterAll(async () => {
  sdk.close()
  await server.stop()
})

describe('CancelKeyDeletion', () => {
  it('returns a PendingDelete key to Disabled (not Enabled) and clears DeletionDate', async () => {
    const { keyId } = await createKey(sdk, 'cancel')
    await sdk.call('DisableKey', { KeyId: keyId })
    await sdk.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    expect(await sdk.call('CancelKeyDeletion', { KeyId: keyId })).toEqual({
      KeyId: keyId,
      RequestId: expect.any(String),
    })
    const meta = (await sdk.call('DescribeKey', { KeyId: keyId })).KeyMetadata
    expect(meta).toMatchObject({ KeyState: 'Disabled', DeletionDate: 0 })
  })

  it('refuses a key that is not pending deletion', async () => {
    const { keyId } = await createKey(sdk, 'cancel-no')
    expect((await sdk.fail('CancelKeyDeletion', { KeyId: keyId })).code).toBe('ResourceUnavailable.CmkNotPendingDelete')
  })

  it.each([
    [{}, 'MissingParameter'],
    [{ KeyId: '?' }, 'InvalidParameterValue.InvalidKeyId'],
    [{ KeyId: 'unknown-key' }, 'ResourceUnavailable.CmkNotFound'],
  ])('rejects %j with %s', async (params, code) => {
    expect((await sdk.fail('CancelKeyDeletion', params)).code).toBe(code)
  })
})
