import { randomBytes } from 'node:crypto'
import { sm2 } from 'sm-crypto-v2'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeSm2Ciphertext } from '../src/keys/sm2-ciphertext.js'
import { createAsymmetricKey, rsaEncrypt, sm2Encrypt, sm2PointHex, sm2RawToDer } from './helpers/asymmetric.js'
import { errorCode, rawRequest } from './helpers/raw.js'
import { b64, createKey, createSdkClient } from './helpers/sdk.js'
import { admin } from './helpers/server.js'
import { useTestKms } from './helpers/use-kms.js'

let key: { keyId: string; alias: string; publicKey: string }
const opener = { secretId: 'AKIDSM2OPENER0000001', secretKey: 'opener-secret-key' }
const rsaOnly = { secretId: 'AKIDSM2RSAONLY000001', secretKey: 'rsa-only-secret-key' }

const identities = [
  { ...admin, allow: ['*'], keys: ['*'] },
  { ...opener, allow: ['AsymmetricSm2Decrypt'], keys: ['alias/sm2-openable'] },
  { ...rsaOnly, allow: ['AsymmetricRsaDecrypt', 'GetPublicKey'], keys: ['*'] },
]
const kms = useTestKms({ seed: { identities } })

beforeAll(async () => {
  key = await createAsymmetricKey(kms.sdk, 'ASYMMETRIC_DECRYPT_SM2')
})

async function decrypt(ciphertext: Buffer, keyId = key.keyId) {
  return kms.sdk.call('AsymmetricSm2Decrypt', { KeyId: keyId, Ciphertext: ciphertext.toString('base64') })
}

async function failCode(ciphertext: Buffer | string, keyId = key.keyId): Promise<string | undefined> {
  const Ciphertext = typeof ciphertext === 'string' ? ciphertext : ciphertext.toString('base64')
  return (await kms.sdk.fail('AsymmetricSm2Decrypt', { KeyId: keyId, Ciphertext })).code
}

// Tencent's own example Ciphertext for this action (API doc 573/42141): a C1C3C2 ASN.1 DER value, y with a 0x00 pad.
const tencentExample =
  'MG0CICuRefoqE7g5bpsZNYq+9d909cZl7nFuYFHiDhOqz8GAAiEA4lqmt3nGqpbu0qhbWsStkexXA2cA12nVWjgruFP5WKkEIG6JwYejm9gEr7CPOOhbirsGhga3W7J6C7kwdmf6VebRBATH1o2G'

describe('AsymmetricSm2Decrypt', () => {
  it('decrypts C1C3C2 ASN.1 DER made locally with the public key (own DER encoder): the same bytes', async () => {
    for (let i = 0; i < 12; i += 1) {
      const data = randomBytes(1 + i * 10)
      const res = await decrypt(sm2Encrypt(key.publicKey, data, 'der'))
      expect(res).toEqual({ KeyId: key.keyId, Plaintext: data.toString('base64'), RequestId: expect.any(String) })
    }
  })

  it("decrypts the library's own C1C3C2 ASN.1 output, by KeyId and by alias", async () => {
    const data = randomBytes(32)
    for (const ref of [key.keyId, `alias/${key.alias}`]) {
      const res = await decrypt(sm2Encrypt(key.publicKey, data, 'library-asn1'), ref)
      expect(res.Plaintext).toBe(data.toString('base64'))
    }
  })

  it('answers a raw Tencent-shaped request with {Response:{KeyId,Plaintext,RequestId}}', async () => {
    const Ciphertext = sm2Encrypt(key.publicKey, Buffer.from('raw')).toString('base64')
    const res = await rawRequest(kms.server.port, {
      action: 'AsymmetricSm2Decrypt',
      body: JSON.stringify({ KeyId: key.keyId, Ciphertext }),
    })
    expect(res.status).toBe(200)
    expect(res.json).toEqual({ Response: { KeyId: key.keyId, Plaintext: b64('raw'), RequestId: expect.any(String) } })
  })

  it('reads the shape of Tencent’s documented example (and refuses it: another key made it)', async () => {
    const parts = decodeSm2Ciphertext(Buffer.from(tencentExample, 'base64'))
    expect(parts).toBeDefined()
    expect([parts!.x.length, parts!.y.length, parts!.hash.length, parts!.cipher.length]).toEqual([32, 32, 32, 4])
    expect(await failCode(tencentExample)).toBe('FailedOperation.DecryptError')
  })

  it('refuses raw (non-ASN.1) C1C3C2 and C1C2C3 forms (FailedOperation.DecryptError)', async () => {
    const data = randomBytes(20)
    const point = sm2PointHex(key.publicKey)
    const c1c2c3 = Buffer.from(sm2.doEncrypt(data, point, 0), 'hex')
    for (const ciphertext of [
      sm2Encrypt(key.publicKey, data, 'raw'),
      Buffer.concat([Buffer.from([4]), sm2Encrypt(key.publicKey, data, 'raw')]),
      sm2RawToDer(c1c2c3),
    ]) {
      expect(await failCode(ciphertext)).toBe('FailedOperation.DecryptError')
    }
  })

  it('refuses a tampered C1, C3 or C2, and malformed DER (FailedOperation.DecryptError)', async () => {
    const good = sm2Encrypt(key.publicKey, randomBytes(16))
    const variants: Buffer[] = []
    for (const at of [6, 40, 75, good.length - 1]) {
      const copy = Buffer.from(good)
      copy[at]! ^= 0x01
      variants.push(copy)
    }
    variants.push(Buffer.concat([good, Buffer.from([0])]))
    variants.push(good.subarray(0, good.length - 1))
    const longForm = Buffer.concat([Buffer.from([0x30, 0x81, good[1]!]), good.subarray(2)])
    if (good[1]! < 0x80) variants.push(longForm)
    variants.push(Buffer.from([0x30, 0x00]))
    for (const ciphertext of variants) expect(await failCode(ciphertext)).toBe('FailedOperation.DecryptError')
    expect((await decrypt(good)).KeyId).toBe(key.keyId)
  })

  it.each([
    [{ Ciphertext: 'AA==' }, 'MissingParameter'],
    [{ KeyId: 'SM2' }, 'MissingParameter'],
    [{ KeyId: 'SM2', Ciphertext: 'not base64!' }, 'InvalidParameter'],
    [{ KeyId: 'SM2', Ciphertext: b64(Buffer.alloc(257, 1)) }, 'InvalidParameter'],
    [{ KeyId: 'SM2', Ciphertext: 5 }, 'InvalidParameter'],
    [{ KeyId: 'a b', Ciphertext: 'AA==' }, 'InvalidParameterValue.InvalidKeyId'],
    [{ KeyId: 'nope-key', Ciphertext: 'AA==' }, 'ResourceUnavailable.CmkNotFound'],
    [{ KeyId: 'SM2', Ciphertext: 'AA==', Algorithm: 'SM2' }, 'UnknownParameter'],
  ])('rejects %j with %s', async (params, code) => {
    const p = { ...params } as Record<string, unknown>
    if (p.KeyId === 'SM2') p.KeyId = key.keyId
    expect((await kms.sdk.fail('AsymmetricSm2Decrypt', p)).code).toBe(code)
  })

  it('refuses keys of another usage (InvalidKeyUsage) and keys not Enabled (CmkStateNotSupport)', async () => {
    const ciphertext = sm2Encrypt(key.publicKey, Buffer.from('x'))
    const rsa = await createAsymmetricKey(kms.sdk, 'ASYMMETRIC_DECRYPT_RSA_2048')
    const symmetric = await createKey(kms.sdk, 'sm2-sym')
    for (const keyId of [rsa.keyId, symmetric.keyId]) {
      expect(await failCode(ciphertext, keyId)).toBe('InvalidParameterValue.InvalidKeyUsage')
    }
    const own = await createAsymmetricKey(kms.sdk, 'ASYMMETRIC_DECRYPT_SM2')
    const mine = sm2Encrypt(own.publicKey, Buffer.from('y'))
    await kms.sdk.call('DisableKey', { KeyId: own.keyId })
    expect(await failCode(mine, own.keyId)).toBe('ResourceUnavailable.CmkStateNotSupport')
    await kms.sdk.call('EnableKey', { KeyId: own.keyId })
    expect((await decrypt(mine, own.keyId)).Plaintext).toBe(b64('y'))
    expect(await failCode(mine)).toBe('FailedOperation.DecryptError')
  })

  it('follows the identity: without AsymmetricSm2Decrypt, or on another key, the call is refused', async () => {
    const openable = await kms.sdk.call('CreateKey', { Alias: 'sm2-openable', KeyUsage: 'ASYMMETRIC_DECRYPT_SM2' })
    const asRsaOnly = createSdkClient(kms.server.port, rsaOnly)
    const asOpener = createSdkClient(kms.server.port, opener)
    try {
      const { PublicKey } = await asRsaOnly.call('GetPublicKey', { KeyId: openable.KeyId })
      const params = { KeyId: openable.KeyId, Ciphertext: sm2Encrypt(PublicKey, Buffer.from('w')).toString('base64') }
      expect((await asRsaOnly.fail('AsymmetricSm2Decrypt', params)).code).toBe('AuthFailure.UnauthorizedOperation')
      expect((await asOpener.call('AsymmetricSm2Decrypt', params)).Plaintext).toBe(b64('w'))
      const other = { KeyId: key.keyId, Ciphertext: sm2Encrypt(key.publicKey, Buffer.from('o')).toString('base64') }
      expect((await asOpener.fail('AsymmetricSm2Decrypt', other)).code).toBe('AuthFailure.UnauthorizedOperation')
    } finally {
      asRsaOnly.close()
      asOpener.close()
    }
  })

  it('never echoes the ciphertext or plaintext in an error', async () => {
    const ciphertext = sm2Encrypt(key.publicKey, Buffer.from('CANARY-SM2'), 'raw')
    const error = await kms.sdk.fail('AsymmetricSm2Decrypt', {
      KeyId: key.keyId,
      Ciphertext: ciphertext.toString('base64'),
    })
    expect(error.message).not.toContain(ciphertext.toString('base64').slice(0, 16))
    expect(error.message).not.toContain('CANARY')
    const wrongAlgorithm = rsaEncrypt(
      (await createAsymmetricKey(kms.sdk, 'ASYMMETRIC_DECRYPT_RSA_2048')).publicKey,
      'RSAES_OAEP_SHA_256',
      Buffer.from('r'),
    )
    expect(
      errorCode(
        await rawRequest(kms.server.port, {
          action: 'AsymmetricSm2Decrypt',
          body: JSON.stringify({ KeyId: key.keyId, Ciphertext: wrongAlgorithm }),
        }),
      ),
    ).toBe('FailedOperation.DecryptError')
  })
})
