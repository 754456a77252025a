import { describe, expect, it } from 'vitest'
import { createKey } from './helpers/sdk.js'
import { useTestKms } from './helpers/use-kms.js'

const kms = useTestKms()

const state = async (KeyId: string) => (await kms.sdk.call('DescribeKey', { KeyId })).KeyMetadata.KeyState

describe('EnableKey', () => {
  it('enables a Disabled key (answer: RequestId only) and is idempotent', async () => {
    const { keyId } = await createKey(kms.sdk, 'en')
    await kms.sdk.call('DisableKey', { KeyId: keyId })
    expect(await kms.sdk.call('EnableKey', { KeyId: keyId })).toEqual({ RequestId: expect.any(String) })
    expect(await state(keyId)).toBe('Enabled')
    await kms.sdk.call('EnableKey', { KeyId: keyId })
    expect(await state(keyId)).toBe('Enabled')
  })

  it('refuses a key pending deletion', async () => {
    const { keyId } = await createKey(kms.sdk, 'en-pd')
    await kms.sdk.call('DisableKey', { KeyId: keyId })
    await kms.sdk.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    expect((await kms.sdk.fail('EnableKey', { KeyId: keyId })).code).toBe('ResourceUnavailable.CmkStateNotSupport')
  })

  it.each([
    [{}, 'MissingParameter'],
    [{ KeyId: '!' }, 'InvalidParameterValue.InvalidKeyId'],
    [{ KeyId: 'unknown-key' }, 'ResourceUnavailable.CmkNotFound'],
  ])('rejects %j with %s', async (params, code) => {
    expect((await kms.sdk.fail('EnableKey', params)).code).toBe(code)
  })
})
