import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeBlob } from '../src/keys/blob.js'
import { createAsymmetricKey } from './helpers/asymmetric.js'
import { b64, createKey, createSdkClient, type SdkClient, unb64 } from './helpers/sdk.js'
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

describe('RotateKey', () => {
  it('adds a key version: new blobs use it, every older blob still decrypts', async () => {
    const { keyId } = await createKey(sdk, 'rot')
    const blobs: string[] = []
    for (let i = 0; i < 3; i++) {
      blobs.push((await sdk.call('Encrypt', { KeyId: keyId, Plaintext: b64(`v${i + 1}`) })).CiphertextBlob)
      expect(await sdk.call('RotateKey', { KeyId: keyId })).toEqual({ RequestId: expect.any(String) })
    }
    const latest = (await sdk.call('Encrypt', { KeyId: keyId, Plaintext: b64('v4') })).CiphertextBlob
    expect(blobs.map((b) => decodeBlob(b).version)).toEqual([1, 2, 3])
    expect(decodeBlob(latest).version).toBe(4)
    for (const [i, CiphertextBlob] of blobs.entries()) {
      expect(unb64((await sdk.call('Decrypt', { CiphertextBlob })).Plaintext)).toBe(`v${i + 1}`)
    }
    const meta = (await sdk.call('DescribeKey', { KeyId: keyId })).KeyMetadata
    expect(meta.LastRotateTime).toBeGreaterThan(0)
  })

  it('refuses Disabled (CmkDisabled) and PendingDelete (CmkStateNotSupport) keys', async () => {
    const { keyId } = await createKey(sdk, 'rot-off')
    await sdk.call('DisableKey', { KeyId: keyId })
    expect((await sdk.fail('RotateKey', { KeyId: keyId })).code).toBe('ResourceUnavailable.CmkDisabled')
    await sdk.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    expect((await sdk.fail('RotateKey', { KeyId: keyId })).code).toBe('ResourceUnavailable.CmkStateNotSupport')
  })

  it('refuses asymmetric keys (UnsupportedOperation.RotateNotSupported); their public key stays', async () => {
    for (const usage of ['ASYMMETRIC_DECRYPT_RSA_2048', 'ASYMMETRIC_DECRYPT_SM2'] as const) {
      const asym = await createAsymmetricKey(sdk, usage)
      expect((await sdk.fail('RotateKey', { KeyId: asym.keyId })).code).toBe('UnsupportedOperation.RotateNotSupported')
      expect((await sdk.call('GetPublicKey', { KeyId: asym.keyId })).PublicKey).toBe(asym.publicKey)
    }
  })

  it.each([
    [{}, 'MissingParameter'],
    [{ KeyId: '/' }, 'InvalidParameterValue.InvalidKeyId'],
    [{ KeyId: 'unknown-key' }, 'ResourceUnavailable.CmkNotFound'],
  ])('rejects %j with %s', async (params, code) => {
    expect((await sdk.fail('RotateKey', params)).code).toBe(code)
  })
})
