import { beforeAll, describe, expect, it } from 'vitest'
import { createKey } from './helpers/sdk.js'
import { useTestKms } from './helpers/use-kms.js'

const kms = useTestKms()
const ids: string[] = []

beforeAll(async () => {
  for (let i = 0; i < 13; i++) ids.push((await createKey(kms.sdk, 'list')).keyId)
})

describe('ListKeys', () => {
  it('lists 10 by default in creation order, with TotalCount', async () => {
    const res = await kms.sdk.call('ListKeys')
    expect(res.TotalCount).toBe(13)
    expect(res.Keys).toEqual(ids.slice(0, 10).map((KeyId) => ({ KeyId })))
  })

  it('pages with Offset and Limit', async () => {
    const res = await kms.sdk.call('ListKeys', { Offset: 10, Limit: 200 })
    expect(res.Keys.map((k: { KeyId: string }) => k.KeyId)).toEqual(ids.slice(10))
    expect((await kms.sdk.call('ListKeys', { Offset: 50 })).Keys).toEqual([])
  })

  it('leaves out keys pending deletion; Role 1 (cloud-product keys) is empty', async () => {
    const { keyId } = await createKey(kms.sdk, 'list-gone')
    await kms.sdk.call('DisableKey', { KeyId: keyId })
    expect((await kms.sdk.call('ListKeys', { Limit: 200 })).TotalCount).toBe(14)
    await kms.sdk.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    expect((await kms.sdk.call('ListKeys', { Limit: 200 })).TotalCount).toBe(13)
    expect(await kms.sdk.call('ListKeys', { Role: 1 })).toMatchObject({ Keys: [], TotalCount: 0 })
  })

  it.each([
    [{ Limit: 0 }, 'InvalidParameterValue'],
    [{ Limit: 201 }, 'InvalidParameterValue'],
    [{ Offset: -1 }, 'InvalidParameterValue'],
    [{ Role: 2 }, 'InvalidParameterValue'],
    [{ Limit: '10' }, 'InvalidParameter'],
    [{ Nope: 1 }, 'UnknownParameter'],
  ])('rejects %j with %s', async (params, code) => {
    expect((await kms.sdk.fail('ListKeys', params)).code).toBe(code)
  })
})
