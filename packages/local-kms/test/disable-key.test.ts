import { describe, expect, it } from 'vitest'
import { b64, createKey } from './helpers/sdk.js'
import { useTestKms } from './helpers/use-kms.js'

const kms = useTestKms()

describe('DisableKey', () => {
  it('disables a key: crypto calls get CmkDisabled, management calls still work', async () => {
    const { keyId } = await createKey(kms.sdk, 'dis')
    expect(await kms.sdk.call('DisableKey', { KeyId: keyId })).toEqual({ RequestId: expect.any(String) })
    expect((await kms.sdk.call('DescribeKey', { KeyId: keyId })).KeyMetadata.KeyState).toBe('Disabled')
    expect((await kms.sdk.fail('Encrypt', { KeyId: keyId, Plaintext: b64('x') })).code).toBe(
      'ResourceUnavailable.CmkDisabled',
    )
    expect((await kms.sdk.fail('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' })).code).toBe(
      'ResourceUnavailable.CmkDisabled',
    )
    await kms.sdk.call('DisableKey', { KeyId: keyId })
    await kms.sdk.call('UpdateAlias', { KeyId: keyId, Alias: `dis-renamed-${process.pid}` })
  })

  it('refuses a key pending deletion', async () => {
    const { keyId } = await createKey(kms.sdk, 'dis-pd')
    await kms.sdk.call('DisableKey', { KeyId: keyId })
    await kms.sdk.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    expect((await kms.sdk.fail('DisableKey', { KeyId: keyId })).code).toBe('ResourceUnavailable.CmkStateNotSupport')
  })

  it.each([
    [{}, 'MissingParameter'],
    [{ KeyId: 'x y' }, 'InvalidParameterValue.InvalidKeyId'],
    [{ KeyId: 'unknown-key' }, 'ResourceUnavailable.CmkNotFound'],
  ])('rejects %j with %s', async (params, code) => {
    expect((await kms.sdk.fail('DisableKey', params)).code).toBe(code)
  })
})
