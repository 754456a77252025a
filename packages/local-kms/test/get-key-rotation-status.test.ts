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

describe('GetKeyRotationStatus', () => {
  it('reports KeyRotationEnabled as rotation is switched on and off', async () => {
    const { keyId } = await createKey(sdk, 'gs')
    expect(await sdk.call('GetKeyRotationStatus', { KeyId: keyId })).toMatchObject({
      KeyRotationEnabled: false,
      RequestId: expect.any(String),
    })
    await sdk.call('EnableKeyRotation', { KeyId: keyId, RotateDays: 90 })
    expect(await sdk.call('GetKeyRotationStatus', { KeyId: keyId })).toMatchObject({
      KeyRotationEnabled: true,
      RotateDays: 90,
    })
    await sdk.call('DisableKeyRotation', { KeyId: keyId })
    expect((await sdk.call('GetKeyRotationStatus', { KeyId: keyId })).KeyRotationEnabled).toBe(false)
  })

  it.each([
    [{}, 'MissingParameter'],
    [{ KeyId: 'no such' }, 'InvalidParameterValue.InvalidKeyId'],
    [{ KeyId: 'unknown-key' }, 'ResourceUnavailable.CmkNotFound'],
  ])('rejects %j with %s', async (params, code) => {
    expect((await sdk.fail('GetKeyRotationStatus', params)).code).toBe(code)
  })
})
