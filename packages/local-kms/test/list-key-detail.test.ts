import { beforeAll, describe, expect, it } from 'vitest'
import { rawRequest } from './helpers/raw.js'
import { createSdkClient } from './helpers/sdk.js'
import { admin } from './helpers/server.js'
import { useTestKms } from './helpers/use-kms.js'

const ids: Record<string, string> = {}
const narrow = { secretId: 'AKIDLISTDETAIL000001', secretKey: 'narrow-secret-key' }

const identities = [
  { ...admin, allow: ['*'], keys: ['*'] },
  { ...narrow, allow: ['ListKeyDetail'], keys: ['alias/ld-sm2'] },
]
const kms = useTestKms({ seed: { identities } })

beforeAll(async () => {
  for (const [alias, KeyUsage] of [
    ['ld-sym', 'ENCRYPT_DECRYPT'],
    ['ld-rsa', 'ASYMMETRIC_DECRYPT_RSA_2048'],
    ['ld-sm2', 'ASYMMETRIC_DECRYPT_SM2'],
    ['ld-off', 'ENCRYPT_DECRYPT'],
  ] as const) {
    ids[alias] = (await kms.sdk.call('CreateKey', { Alias: alias, KeyUsage })).KeyId
  }
  await kms.sdk.call('DisableKey', { KeyId: ids['ld-off'] })
})

async function aliases(params: Record<string, unknown> = {}): Promise<string[]> {
  const res = await kms.sdk.call('ListKeyDetail', { Limit: 200, ...params })
  expect(res.TotalCount).toBe(res.KeyMetadatas.length)
  return res.KeyMetadatas.map((m: { Alias: string }) => m.Alias)
}

describe('ListKeyDetail', () => {
  it('lists KeyMetadata with KeyUsage; ENCRYPT_DECRYPT keys only by default, newest first', async () => {
    const res = await kms.sdk.call('ListKeyDetail', {})
    expect(res).toEqual({ TotalCount: 2, KeyMetadatas: expect.any(Array), RequestId: expect.any(String) })
    expect(res.KeyMetadatas.map((m: { Alias: string }) => m.Alias)).toEqual(['ld-off', 'ld-sym'])
    expect(res.KeyMetadatas[1]).toMatchObject({
      KeyId: ids['ld-sym'],
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
    })
  })

  it('filters by KeyUsage (ALL or one usage)', async () => {
    expect(await aliases({ KeyUsage: 'ALL', OrderType: 1 })).toEqual(['ld-sym', 'ld-rsa', 'ld-sm2', 'ld-off'])
    const rsa = await kms.sdk.call('ListKeyDetail', { KeyUsage: 'ASYMMETRIC_DECRYPT_RSA_2048' })
    expect(rsa.KeyMetadatas).toEqual([
      expect.objectContaining({ KeyId: ids['ld-rsa'], KeyUsage: 'ASYMMETRIC_DECRYPT_RSA_2048' }),
    ])
    expect(await aliases({ KeyUsage: 'ASYMMETRIC_DECRYPT_SM2' })).toEqual(['ld-sm2'])
    expect(await aliases({ KeyUsage: 'ASYMMETRIC_SIGN_VERIFY_SM2' })).toEqual([])
  })

  it('filters by KeyState, SearchKeyAlias, Origin and Role; pages with Offset/Limit', async () => {
    expect(await aliases({ KeyState: 2 })).toEqual(['ld-off'])
    expect(await aliases({ KeyState: 1, KeyUsage: 'ALL', OrderType: 1 })).toEqual(['ld-sym', 'ld-rsa', 'ld-sm2'])
    expect(await aliases({ SearchKeyAlias: 'sm2', KeyUsage: 'ALL' })).toEqual(['ld-sm2'])
    expect(await aliases({ SearchKeyAlias: ids['ld-rsa']!.slice(0, 13), KeyUsage: 'ALL' })).toEqual(['ld-rsa'])
    expect(await aliases({ Origin: 'EXTERNAL', KeyUsage: 'ALL' })).toEqual([])
    expect(await aliases({ Role: 1, KeyUsage: 'ALL' })).toEqual([])
    const page = await kms.sdk.call('ListKeyDetail', { KeyUsage: 'ALL', OrderType: 1, Offset: 1, Limit: 2 })
    expect(page.TotalCount).toBe(4)
    expect(page.KeyMetadatas.map((m: { Alias: string }) => m.Alias)).toEqual(['ld-rsa', 'ld-sm2'])
  })

  it('shows only keys the identity may use', async () => {
    const client = createSdkClient(kms.server.port, narrow)
    try {
      const res = await client.call('ListKeyDetail', { KeyUsage: 'ALL' })
      expect(res.KeyMetadatas.map((m: { KeyId: string }) => m.KeyId)).toEqual([ids['ld-sm2']])
    } finally {
      client.close()
    }
  })

  it.each([
    [{ Limit: 0 }, 'InvalidParameterValue'],
    [{ Limit: 201 }, 'InvalidParameterValue'],
    [{ KeyState: 6 }, 'InvalidParameterValue'],
    [{ OrderType: 2 }, 'InvalidParameterValue'],
    [{ KeyUsage: 'NOPE' }, 'InvalidParameterValue'],
    [{ Origin: 'NOPE' }, 'InvalidParameterValue'],
    [{ Offset: 'x' }, 'InvalidParameter'],
    [{ TagFilters: [{ TagKey: 'a', TagValue: ['b'] }] }, 'UnsupportedOperation'],
    [{ Bogus: 1 }, 'UnknownParameter'],
  ])('rejects %j with %s', async (params, code) => {
    expect((await kms.sdk.fail('ListKeyDetail', params)).code).toBe(code)
  })

  it('answers a raw Tencent-shaped request', async () => {
    const res = await rawRequest(kms.server.port, { action: 'ListKeyDetail', body: '{"KeyUsage":"ALL"}' })
    expect(res.status).toBe(200)
    expect(Object.keys(res.json.Response).sort()).toEqual(['KeyMetadatas', 'RequestId', 'TotalCount'])
  })
})
