import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeBlob, encodeBlobHeader } from '../src/keys/blob.js'
import { createAsymmetricKey } from './helpers/asymmetric.js'
import { b64, createKey, unb64 } from './helpers/sdk.js'
import { useTestKms } from './helpers/use-kms.js'

const kms = useTestKms()
let keyId: string
let blob: string

beforeAll(async () => {
  ;({ keyId } = await createKey(kms.sdk, 'dec'))
  blob = (await kms.sdk.call('Encrypt', { KeyId: keyId, Plaintext: b64('top secret') })).CiphertextBlob
})

function mutateSegment(text: string, segment: number, byte: number, bit: number): string {
  const parts = text.split('-k-')
  const bytes = Buffer.from(parts[segment]!, 'base64')
  const i = byte % bytes.length
  bytes[i] = bytes[i]! ^ (1 << bit)
  parts[segment] = bytes.toString('base64')
  return parts.join('-k-')
}

describe('Decrypt', () => {
  it('refuses a blob that names an asymmetric key (InvalidParameterValue.InvalidKeyUsage)', async () => {
    const asym = await createAsymmetricKey(kms.sdk, 'ASYMMETRIC_DECRYPT_RSA_2048')
    const [, iv, data] = blob.split('-k-').map((s) => Buffer.from(s, 'base64')) as [Buffer, Buffer, Buffer]
    const forged = encodeBlob(encodeBlobHeader(asym.keyId, 1), iv, data)
    expect((await kms.sdk.fail('Decrypt', { CiphertextBlob: forged })).code).toBe(
      'InvalidParameterValue.InvalidKeyUsage',
    )
  })

  it('needs no KeyId: the key comes from the blob', async () => {
    const res = await kms.sdk.call('Decrypt', { CiphertextBlob: blob })
    expect(res).toEqual({ KeyId: keyId, Plaintext: b64('top secret'), RequestId: expect.any(String) })
  })

  it.each([
    [{}, 'MissingParameter'],
    [{ CiphertextBlob: 1 }, 'InvalidParameter'],
    [{ CiphertextBlob: 'garbage' }, 'InvalidParameterValue.InvalidCiphertext'],
    [{ CiphertextBlob: b64('x'.repeat(80)) }, 'InvalidParameterValue.InvalidCiphertext'],
    [{ CiphertextBlob: 'a-k-b-k-c' }, 'InvalidParameterValue.InvalidCiphertext'],
    [{ CiphertextBlob: 'x'.repeat(9000) }, 'InvalidParameterValue.InvalidCiphertext'],
    [{ CiphertextBlob: 'BLOB', EncryptionPublicKey: 'pem' }, 'UnsupportedOperation'],
    [{ CiphertextBlob: 'BLOB', KeyId: 'x' }, 'UnknownParameter'],
  ])('rejects %j with %s', async (params, code) => {
    const p = { ...params } as Record<string, unknown>
    if (p.CiphertextBlob === 'BLOB') p.CiphertextBlob = blob
    expect((await kms.sdk.fail('Decrypt', p)).code).toBe(code)
  })

  it('rejects every truncation of the blob', async () => {
    for (const cut of [1, 2, 5, 20, blob.length - 30, blob.length - 1]) {
      const error = await kms.sdk.fail('Decrypt', { CiphertextBlob: blob.slice(0, cut) })
      expect(error.code).toBe('InvalidParameterValue.InvalidCiphertext')
    }
  })

  it('never returns plaintext for a blob with a flipped bit (sampled over HTTP)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(2), fc.nat(200), fc.nat(7), async (segment, byte, bit) => {
        const error = await kms.sdk.fail('Decrypt', { CiphertextBlob: mutateSegment(blob, segment, byte, bit) })
        expect(['InvalidParameterValue.InvalidCiphertext', 'ResourceUnavailable.CmkNotFound']).toContain(error.code)
      }),
      { numRuns: 60 },
    )
  })

  it('follows the key state: Disabled → CmkDisabled, PendingDelete → CmkStateNotSupport, re-enabled → works', async () => {
    const k = await createKey(kms.sdk, 'dec-state')
    const { CiphertextBlob } = await kms.sdk.call('Encrypt', { KeyId: k.keyId, Plaintext: b64('s') })
    await kms.sdk.call('DisableKey', { KeyId: k.keyId })
    expect((await kms.sdk.fail('Decrypt', { CiphertextBlob })).code).toBe('ResourceUnavailable.CmkDisabled')
    await kms.sdk.call('ScheduleKeyDeletion', { KeyId: k.keyId, PendingWindowInDays: 30 })
    expect((await kms.sdk.fail('Decrypt', { CiphertextBlob })).code).toBe('ResourceUnavailable.CmkStateNotSupport')
    await kms.sdk.call('CancelKeyDeletion', { KeyId: k.keyId })
    await kms.sdk.call('EnableKey', { KeyId: k.keyId })
    expect(unb64((await kms.sdk.call('Decrypt', { CiphertextBlob })).Plaintext)).toBe('s')
  })
})
