import { describe, expect, it } from 'vitest'
import { createKey } from './helpers/sdk.js'
import { useTestKms } from './helpers/use-kms.js'

const kms = useTestKms()

describe('DescribeKey', () => {
  it('returns KeyMetadata with the Tencent field names', async () => {
    const created = await kms.sdk.call('CreateKey', { Alias: 'described', Description: 'd' })
    const res = await kms.sdk.call('DescribeKey', { KeyId: created.KeyId })
    expect(res.KeyMetadata).toMatchObject({
      KeyId: created.KeyId,
      Alias: 'described',
      CreateTime: created.CreateTime,
      Description: 'd',
      KeyState: 'Enabled',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyRotationEnabled: false,
      Owner: 'user',
      Origin: 'TENCENT_KMS',
      DeletionDate: 0,
      NextRotateTime: 0,
      ResourceId: expect.stringContaining(created.KeyId),
    })
    expect(res.RequestId).toEqual(expect.any(String))
  })

  it.each(['ASYMMETRIC_DECRYPT_RSA_2048', 'ASYMMETRIC_DECRYPT_SM2'])('reports KeyUsage %s', async (usage) => {
    const created = await kms.sdk.call('CreateKey', { Alias: `described-${usage.at(-1)}`, KeyUsage: usage })
    const { KeyMetadata } = await kms.sdk.call('DescribeKey', { KeyId: created.KeyId })
    expect(KeyMetadata).toMatchObject({ KeyId: created.KeyId, KeyUsage: usage, KeyState: 'Enabled' })
  })

  it('resolves alias/<name> and bare aliases', async () => {
    const { keyId, alias } = await createKey(kms.sdk, 'desc')
    expect((await kms.sdk.call('DescribeKey', { KeyId: `alias/${alias}` })).KeyMetadata.KeyId).toBe(keyId)
    expect((await kms.sdk.call('DescribeKey', { KeyId: alias })).KeyMetadata.KeyId).toBe(keyId)
  })

  it('describes keys in every state', async () => {
    const { keyId } = await createKey(kms.sdk, 'desc-state')
    await kms.sdk.call('DisableKey', { KeyId: keyId })
    expect((await kms.sdk.call('DescribeKey', { KeyId: keyId })).KeyMetadata.KeyState).toBe('Disabled')
    const { DeletionDate } = await kms.sdk.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    const meta = (await kms.sdk.call('DescribeKey', { KeyId: keyId })).KeyMetadata
    expect(meta).toMatchObject({ KeyState: 'PendingDelete', DeletionDate })
  })

  it.each([
    [{}, 'MissingParameter'],
    [{ KeyId: 3 }, 'InvalidParameter'],
    [{ KeyId: 'a b' }, 'InvalidParameterValue.InvalidKeyId'],
    [{ KeyId: 'x'.repeat(129) }, 'InvalidParameterValue.InvalidKeyId'],
    [{ KeyId: '00000000-0000-0000-0000-000000000000' }, 'ResourceUnavailable.CmkNotFound'],
    [{ KeyId: 'alias/none' }, 'ResourceUnavailable.CmkNotFound'],
  ])('rejects %j with %s', async (params, code) => {
    expect((await kms.sdk.fail('DescribeKey', params)).code).toBe(code)
  })

  it('ignores MemberAccount', async () => {
    const { keyId } = await createKey(kms.sdk, 'desc-member')
    const res = await kms.sdk.call('DescribeKey', { KeyId: keyId, MemberAccount: { MemberUin: 1 } })
    expect(res.KeyMetadata.KeyId).toBe(keyId)
  })
})
