import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeBlob } from '../src/keys/blob.js'
import { createAsymmetricKey } from './helpers/asymmetric.js'
import { rawRequest } from './helpers/raw.js'
import { b64, createKey, createSdkClient, type SdkClient } from './helpers/sdk.js'
import { startTestKms, type TestKms } from './helpers/server.js'

let server: TestKms
let sdk: SdkClient
let offsetMs = 0
/** The server clock stands still at this second (plus `offsetMs`), so dates are exact; the SDK signs with wall time,
 * which stays inside the 5-minute window while the file runs. */
const startSeconds = Math.floor(Date.now() / 1000)
const day = 86_400

beforeAll(async () => {
  server = await startTestKms({ clock: () => startSeconds * 1000 + offsetMs })
  sdk = createSdkClient(server.port)
})
afterAll(async () => {
  sdk.close()
  await server.stop()
})

describe('EnableKeyRotation', () => {
  it('turns on rotation (default 365 days) and sets NextRotateTime', async () => {
    const { keyId } = await createKey(sdk, 'er')
    const now = startSeconds
    expect(await sdk.call('EnableKeyRotation', { KeyId: keyId })).toEqual({ RequestId: expect.any(String) })
    const meta = (await sdk.call('DescribeKey', { KeyId: keyId })).KeyMetadata
    expect(meta).toMatchObject({ KeyRotationEnabled: true, RotateDays: 365 })
    expect(meta.NextRotateTime).toBe(now + 365 * day)
  })

  it('rotates automatically once NextRotateTime has passed; old blobs still decrypt', async () => {
    const { keyId } = await createKey(sdk, 'er-auto')
    await sdk.call('EnableKeyRotation', { KeyId: keyId, RotateDays: 7 })
    const before = (await sdk.call('Encrypt', { KeyId: keyId, Plaintext: b64('old') })).CiphertextBlob
    offsetMs = (7 * day + 10) * 1000
    try {
      const timestamp = startSeconds + offsetMs / 1000
      const res = await rawRequest(server.port, {
        action: 'Encrypt',
        body: JSON.stringify({ KeyId: keyId, Plaintext: b64('new') }),
        timestamp,
      })
      expect(decodeBlob(before).version).toBe(1)
      expect(decodeBlob(res.json.Response.CiphertextBlob).version).toBe(2)
      const dec = await rawRequest(server.port, {
        action: 'Decrypt',
        body: JSON.stringify({ CiphertextBlob: before }),
        timestamp,
      })
      expect(dec.json.Response.Plaintext).toBe(b64('old'))
    } finally {
      offsetMs = 0
    }
  })

  it.each([
    [{ RotateDays: 6 }, 'InvalidParameterValue'],
    [{ RotateDays: 366 }, 'InvalidParameterValue'],
    [{ RotateDays: '30' }, 'InvalidParameter'],
  ])('rejects %j with %s', async (params, code) => {
    const { keyId } = await createKey(sdk, 'er-bad')
    expect((await sdk.fail('EnableKeyRotation', { KeyId: keyId, ...params })).code).toBe(code)
  })

  it('refuses asymmetric keys (UnsupportedOperation.RotateNotSupported)', async () => {
    for (const usage of ['ASYMMETRIC_DECRYPT_RSA_2048', 'ASYMMETRIC_DECRYPT_SM2'] as const) {
      const asym = await createAsymmetricKey(sdk, usage)
      const error = await sdk.fail('EnableKeyRotation', { KeyId: asym.keyId })
      expect(error.code).toBe('UnsupportedOperation.RotateNotSupported')
      expect((await sdk.call('GetKeyRotationStatus', { KeyId: asym.keyId })).KeyRotationEnabled).toBe(false)
    }
  })

  it('needs an Enabled key', async () => {
    const { keyId } = await createKey(sdk, 'er-off')
    await sdk.call('DisableKey', { KeyId: keyId })
    expect((await sdk.fail('EnableKeyRotation', { KeyId: keyId })).code).toBe('ResourceUnavailable.CmkStateNotSupport')
    expect((await sdk.fail('EnableKeyRotation', { KeyId: 'unknown-key' })).code).toBe('ResourceUnavailable.CmkNotFound')
  })
})
