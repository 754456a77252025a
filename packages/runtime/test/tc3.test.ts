import { createHash } from 'node:crypto'
import { sdkSign } from '@kms-secrets/testkit/sdk'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { signTc3, utcDate } from '../src/kms/tc3.js'
import { useNodeCrypto } from '../src/opener/node-crypto.js'

const encoder = new TextEncoder()
/** Vector V3's input (reference §4): the KMS-shaped request the SDK signs. */
const kmsV3Input = {
  secretId: 'AKIDEXAMPLE',
  secretKey: 'test-secret-key',
  service: 'kms',
  host: 'kms.tencentcloudapi.com',
  timestamp: 1551113065,
  body: encoder.encode('{"KeyId":"23e80852-1e38-11e9-b129-5cb9019b4b01","Plaintext":"dGVzdAo="}'),
  contentType: 'application/json',
}
const region = fc.stringMatching(/^[a-z]{2}-[a-z]{3,12}(-[a-z0-9]{1,8})?$/)
const host = fc.oneof(
  fc.constant('kms.tencentcloudapi.com'),
  region.map((r) => `kms.${r}.tencentcloudapi.com`),
  fc.constant('127.0.0.1'),
  fc.constant('localhost'),
)
// Bodies as the runtime builds them (JSON of the Decrypt fields), plus arbitrary unicode JSON and raw bytes.
const body = fc.oneof(
  fc
    .record({ CiphertextBlob: fc.string(), EncryptionContext: fc.option(fc.string(), { nil: undefined }) })
    .map((o) => encoder.encode(JSON.stringify(o))),
  fc.jsonValue().map((v) => encoder.encode(JSON.stringify(v))),
  fc.uint8Array({ maxLength: 512 }),
)
const credential = fc.record({
  secretId: fc.string({ minLength: 1, maxLength: 64 }).filter((s) => !/[\s,/]/.test(s)),
  secretKey: fc.string({ minLength: 1, maxLength: 64, unit: 'grapheme' }),
  token: fc.option(fc.string({ maxLength: 200 }), { nil: undefined }),
})
// 1970 … 2100, whole seconds as the SDK uses.
const timestamp = fc.integer({ min: 0, max: 4_102_444_800 })

describe('TC3-HMAC-SHA256 signer', () => {
  it('property: Authorization is byte-identical to the official SDK signer (Sign.sign3)', async () => {
    await fc.assert(
      fc.asyncProperty(credential, host, timestamp, body, async (c, h, ts, bytes) => {
        const contentType = 'application/json'
        const ours = await signTc3({ ...c, service: 'kms', host: h, timestamp: ts, body: bytes, contentType })
        const official = sdkSign.sign3({
          method: 'POST',
          url: `https://${h}/`,
          payload: Buffer.from(bytes),
          timestamp: ts,
          service: 'kms',
          secretId: c.secretId,
          secretKey: c.secretKey,
          multipart: false,
          headers: { 'Content-Type': contentType },
        })
        expect(ours).toBe(official)
      }),
      { numRuns: 300 },
    )
  })

  it('signs the UTC date of the timestamp (not local time)', () => {
    expect(utcDate(1551113065)).toBe('2019-02-25')
    expect(utcDate(1539084154)).toBe('2018-10-09')
    // 2019-02-25T23:30:00Z is already the 26th in UTC+8.
    expect(utcDate(1551137400)).toBe('2019-02-25')
  })

  it('vector V3 (reference §4): the KMS-shaped request the SDK signs', async () => {
    const auth = await signTc3(kmsV3Input)
    expect(auth).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2019-02-25/kms/tc3_request, SignedHeaders=content-type;host, ' +
        'Signature=d5f1508854d28f9c414c8ff366e3ff8b59eaa95012854a05fe5969c744d5c7c2',
    )
  })

  it("vector from the SDK's own unit test (sign.test.ts, cvm, ts 1640995200)", async () => {
    const payload = JSON.stringify({ Action: 'DescribeInstances', Version: '2017-03-12' })
    const auth = await signTc3({
      secretId: 'test-secret-id',
      secretKey: 'test-secret-key',
      service: 'cvm',
      host: 'cvm.tencentcloudapi.com',
      timestamp: 1640995200,
      body: encoder.encode(payload),
      contentType: 'application/json',
    })
    expect(auth.endsWith('Signature=96473b50fe407833672a5d6d067238d88bb44c8abcc39ef83baa3132afbfadd3')).toBe(true)
    // The payload hash the vector rests on.
    expect(createHash('sha256').update(payload).digest('hex')).toHaveLength(64)
  })

  it('WebCrypto (hosts without node:crypto, e.g. workerd) signs the same bytes as node:crypto', async () => {
    const viaNode = await signTc3(kmsV3Input)
    useNodeCrypto(false)
    try {
      expect(await signTc3(kmsV3Input)).toBe(viaNode)
    } finally {
      useNodeCrypto(true)
    }
  })
})
