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

describe('DisableKeyRotation', () => {
  it('turns rotation off and clears NextRotateTime', async () => {
    const { keyId } = await createKey(sdk, 'dr')
    await sdk.call('EnableKeyRotation', { KeyId: keyId, RotateDays: 30 })
    expect(await sdk.call('DisableKeyRotation', { KeyId: keyId })).toEqual({ RequestId: expect.any(String) })
    const meta = (await sdk.call('DescribeKey', { KeyId: keyId })).KeyMetadata
    expect(meta).toMatchObject({ KeyRotationEnabled: false, NextRotateTime: 0 })
    await sdk.call('DisableKeyRotation', { KeyId: keyId })
  })

  it('refuses a key pending deletion', async () => {
    const { keyId } = await createKey(sdk, 'dr-pd')
    await sdk.call('DisableKey', { KeyId: keyId })
    await sdk.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    expect((await sdk.fail('DisableKeyRotation', { KeyId: keyId })).code).toBe('ResourceUnavailable.CmkStateNotSupport')
  })

  it.each([
    [{}, 'MissingParameter'],
    [{ KeyId: 'unknown-key' }, 'ResourceUnavailable.CmkNotFound'],
  ])('rejects %j with %s', async (params, code) => {
    expect((await sdk.fail('DisableKeyRotation', params)).code).toBe(code)
  })
})
