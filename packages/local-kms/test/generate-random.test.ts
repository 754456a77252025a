import { describe, expect, it } from 'vitest'
import { useTestKms } from './helpers/use-kms.js'

const kms = useTestKms()

describe('GenerateRandom', () => {
  it.each([1, 32, 1024])('returns %i random bytes as base64', async (n) => {
    const res = await kms.sdk.call('GenerateRandom', { NumberOfBytes: n })
    expect(res).toEqual({ Plaintext: expect.any(String), RequestId: expect.any(String) })
    expect(Buffer.from(res.Plaintext, 'base64').length).toBe(n)
  })

  it('differs between calls', async () => {
    const a = await kms.sdk.call('GenerateRandom', { NumberOfBytes: 32 })
    const b = await kms.sdk.call('GenerateRandom', { NumberOfBytes: 32 })
    expect(a.Plaintext).not.toBe(b.Plaintext)
  })

  it.each([
    [{}, 'MissingParameter'],
    [{ NumberOfBytes: 0 }, 'InvalidParameterValue'],
    [{ NumberOfBytes: 1025 }, 'InvalidParameterValue'],
    [{ NumberOfBytes: true }, 'InvalidParameter'],
    [{ NumberOfBytes: 4, KeyId: 'x' }, 'UnknownParameter'],
  ])('rejects %j with %s', async (params, code) => {
    expect((await kms.sdk.fail('GenerateRandom', params)).code).toBe(code)
  })
})
