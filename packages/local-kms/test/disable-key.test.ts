import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { b64, createKey, createSdkClient, type SdkClient } from './helpers/sdk.js'
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

describe('DisableKey', () => {
  it('disables a key: crypto calls get CmkDisabled, management calls still work', async () => {
    const { keyId } = await createKey(sdk, 'dis')
    expect(await sdk.call('DisableKey', { KeyId: keyId })).toEqual({ RequestId: expect.any(String) })
    expect((await sdk.call('DescribeKey', { KeyId: keyId })).KeyMetadata.KeyState).toBe('Disabled')
    expect((await sdk.fail('Encrypt', { KeyId: keyId, Plaintext: b64('x') })).code).toBe(
      'ResourceUnavailable.CmkDisabled',
    )
    expect((await sdk.fail('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' })).code).toBe(
      'ResourceUnavailable.CmkDisabled',
    )
    await sdk.call('DisableKey', { KeyId: keyId })
    await sdk.call('UpdateAlias', { KeyId: keyId, Alias: `dis-renamed-${process.pid}` })
  })

  it('refuses a key pending deletion', async () => {
    const { keyId } = await createKey(sdk, 'dis-pd')
    await sdk.call('DisableKey', { KeyId: keyId })
    await sdk.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    expect((await sdk.fail('DisableKey', { KeyId: keyId })).code).toBe('ResourceUnavailable.CmkStateNotSupport')
  })

  it.each([
    [{}, 'MissingParameter'],
    [{ KeyId: 'x y' }, 'InvalidParameterValue.InvalidKeyId'],
    [{ KeyId: 'unknown-key' }, 'ResourceUnavailable.CmkNotFound'],
  ])('rejects %j with %s', async (params, code) => {
    expect((await sdk.fail('DisableKey', params)).code).toBe(code)
  })
})
