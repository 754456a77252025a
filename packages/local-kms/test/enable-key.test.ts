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

const state = async (KeyId: string) => (await sdk.call('DescribeKey', { KeyId })).KeyMetadata.KeyState

describe('EnableKey', () => {
  it('enables a Disabled key (answer: RequestId only) and is idempotent', async () => {
    const { keyId } = await createKey(sdk, 'en')
    await sdk.call('DisableKey', { KeyId: keyId })
    expect(await sdk.call('EnableKey', { KeyId: keyId })).toEqual({ RequestId: expect.any(String) })
    expect(await state(keyId)).toBe('Enabled')
    await sdk.call('EnableKey', { KeyId: keyId })
    expect(await state(keyId)).toBe('Enabled')
  })

  it('refuses a key pending deletion', async () => {
    const { keyId } = await createKey(sdk, 'en-pd')
    await sdk.call('DisableKey', { KeyId: keyId })
    await sdk.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    expect((await sdk.fail('EnableKey', { KeyId: keyId })).code).toBe('ResourceUnavailable.CmkStateNotSupport')
  })

  it.each([
    [{}, 'MissingParameter'],
    [{ KeyId: '!' }, 'InvalidParameterValue.InvalidKeyId'],
    [{ KeyId: 'unknown-key' }, 'ResourceUnavailable.CmkNotFound'],
  ])('rejects %j with %s', async (params, code) => {
    expect((await sdk.fail('EnableKey', params)).code).toBe(code)
  })
})
