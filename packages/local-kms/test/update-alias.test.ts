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

describe('UpdateAlias', () => {
  it('renames the key; the new alias resolves and the old one is free again', async () => {
    const { keyId, alias } = await createKey(sdk, 'ua')
    expect(await sdk.call('UpdateAlias', { KeyId: keyId, Alias: 'ua-new' })).toEqual({ RequestId: expect.any(String) })
    expect((await sdk.call('DescribeKey', { KeyId: 'alias/ua-new' })).KeyMetadata.KeyId).toBe(keyId)
    expect((await sdk.fail('DescribeKey', { KeyId: `alias/${alias}` })).code).toBe('ResourceUnavailable.CmkNotFound')
    await sdk.call('CreateKey', { Alias: alias })
    await sdk.call('UpdateAlias', { KeyId: keyId, Alias: 'ua-new' })
  })

  it('refuses an alias used by another key', async () => {
    const a = await createKey(sdk, 'ua-a')
    const b = await createKey(sdk, 'ua-b')
    expect((await sdk.fail('UpdateAlias', { KeyId: a.keyId, Alias: b.alias })).code).toBe(
      'InvalidParameterValue.AliasAlreadyExists',
    )
  })

  it('refuses a key pending deletion', async () => {
    const { keyId } = await createKey(sdk, 'ua-pd')
    await sdk.call('DisableKey', { KeyId: keyId })
    await sdk.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    expect((await sdk.fail('UpdateAlias', { KeyId: keyId, Alias: 'ua-pd-x' })).code).toBe(
      'ResourceUnavailable.CmkStateNotSupport',
    )
  })

  it.each([
    [{ KeyId: 'KEY' }, 'MissingParameter'],
    [{ Alias: 'x' }, 'MissingParameter'],
    [{ KeyId: 'KEY', Alias: '_x' }, 'InvalidParameterValue.InvalidAlias'],
    [{ KeyId: 'KEY', Alias: 'KMS-x' }, 'InvalidParameterValue.InvalidAlias'],
    [{ KeyId: 'a b', Alias: 'fine' }, 'InvalidParameterValue.InvalidKeyId'],
    [{ KeyId: 'unknown-key', Alias: 'fine' }, 'ResourceUnavailable.CmkNotFound'],
  ])('rejects %j with %s', async (params, code) => {
    const { keyId } = await createKey(sdk, 'ua-bad')
    const p = { ...params } as Record<string, unknown>
    if (p.KeyId === 'KEY') p.KeyId = keyId
    expect((await sdk.fail('UpdateAlias', p)).code).toBe(code)
  })
})
