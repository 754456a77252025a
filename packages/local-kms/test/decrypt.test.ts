import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeBlob, encodeBlobHeader } from '../src/keys/blob.js'
import { createAsymmetricKey } from './helpers/asymmetric.js'
import { b64, createKey, createSdkClient, type SdkClient, unb64 } from './helpers/sdk.js'
import { startTestKms, type TestKms } from './helpers/server.js'

let server: TestKms
let sdk: SdkClient
let keyId: string
let blob: string

beforeAll(async () => {
  server = await startTestKms()
  sdk = createSdkClient(server.port)
  ;({ keyId } = await createKey(sdk, 'dec'))
  blob = (await sdk.call('Encrypt', { KeyId: keyId, Plaintext: b64('top secret') })).CiphertextBlob
})
afterAll(async () => {
  sdk.close()
  await server.stop()
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
    const asym = await createAsymmetricKey(sdk, 'ASYMMETRIC_DECRYPT_RSA_2048')
    const [, iv, data] = blob.split('-k-').map((s) => Buffer.from(s, 'base64')) as [Buffer, Buffer, Buffer]
    const forged = encodeBlob(encodeBlobHeader(asym.keyId, 1), iv, data)
    expect((await sdk.fail('Decrypt', { CiphertextBlob: forged })).code).toBe('InvalidParameterValue.InvalidKeyUsage')
  })

  it('needs no KeyId: the key comes from the blob', async () => {
    const res = await sdk.call('Decrypt', { CiphertextBlob: blob })
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
    expect((await sdk.fail('Decrypt', p)).code).toBe(code)
  })

  it('rejects every truncation of the blob', async () => {
    for (const cut of [1, 2, 5, 20, blob.length - 30, blob.length - 1]) {
      const error = await sdk.fail('Decrypt', { CiphertextBlob: blob.slice(0, cut) })
      expect(error.code).toBe('InvalidParameterValue.InvalidCiphertext')
    }
  })

  it('never returns plaintext for a blob with a flipped bit (sampled over HTTP)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(2), fc.nat(200), fc.nat(7), async (segment, byte, bit) => {
        const error = await sdk.fail('Decrypt', { CiphertextBlob: mutateSegment(blob, segment, byte, bit) })
        expect(['InvalidParameterValue.InvalidCiphertext', 'ResourceUnavailable.CmkNotFound']).toContain(error.code)
      }),
      { numRuns: 60 },
    )
  })

  it('follows the key state: Disabled → CmkDisabled, PendingDelete → CmkStateNotSupport, re-enabled → works', async () => {
    const k = await createKey(sdk, 'dec-state')
    const { CiphertextBlob } = await sdk.call('Encrypt', { KeyId: k.keyId, Plaintext: b64('s') })
    await sdk.call('DisableKey', { KeyId: k.keyId })
    expect((await sdk.fail('Decrypt', { CiphertextBlob })).code).toBe('ResourceUnavailable.CmkDisabled')
    await sdk.call('ScheduleKeyDeletion', { KeyId: k.keyId, PendingWindowInDays: 30 })
    expect((await sdk.fail('Decrypt', { CiphertextBlob })).code).toBe('ResourceUnavailable.CmkStateNotSupport')
    await sdk.call('CancelKeyDeletion', { KeyId: k.keyId })
    await sdk.call('EnableKey', { KeyId: k.keyId })
    expect(unb64((await sdk.call('Decrypt', { CiphertextBlob })).Plaintext)).toBe('s')
  })
})
