import { describe, expect, it } from 'vitest'
import { createKey } from './helpers/sdk.js'
import { useTestKms } from './helpers/use-kms.js'

const kms = useTestKms()

describe('UpdateAlias', () => {
  it('renames the key; the new alias resolves and the old one is free again', async () => {
    const { keyId, alias } = await createKey(kms.sdk, 'ua')
    expect(await kms.sdk.call('UpdateAlias', { KeyId: keyId, Alias: 'ua-new' })).toEqual({
      RequestId: expect.any(String),
    })
    expect((await kms.sdk.call('DescribeKey', { KeyId: 'alias/ua-new' })).KeyMetadata.KeyId).toBe(keyId)
    expect((await kms.sdk.fail('DescribeKey', { KeyId: `alias/${alias}` })).code).toBe(
      'ResourceUnavailable.CmkNotFound',
    )
    await kms.sdk.call('CreateKey', { Alias: alias })
    await kms.sdk.call('UpdateAlias', { KeyId: keyId, Alias: 'ua-new' })
  })

  it('refuses an alias used by another key', async () => {
    const a = await createKey(kms.sdk, 'ua-a')
    const b = await createKey(kms.sdk, 'ua-b')
    expect((await kms.sdk.fail('UpdateAlias', { KeyId: a.keyId, Alias: b.alias })).code).toBe(
      'InvalidParameterValue.AliasAlreadyExists',
    )
  })

  it('refuses a key pending deletion', async () => {
    const { keyId } = await createKey(kms.sdk, 'ua-pd')
    await kms.sdk.call('DisableKey', { KeyId: keyId })
    await kms.sdk.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    expect((await kms.sdk.fail('UpdateAlias', { KeyId: keyId, Alias: 'ua-pd-x' })).code).toBe(
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
    const { keyId } = await createKey(kms.sdk, 'ua-bad')
    const p = { ...params } as Record<string, unknown>
    if (p.KeyId === 'KEY') p.KeyId = keyId
    expect((await kms.sdk.fail('UpdateAlias', p)).code).toBe(code)
  })
})
