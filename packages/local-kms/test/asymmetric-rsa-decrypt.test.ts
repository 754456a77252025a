import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { createAsymmetricKey, rsaEncrypt } from './helpers/asymmetric.js'
import { errorCode, rawRequest } from './helpers/raw.js'
import { b64, createKey, createSdkClient } from './helpers/sdk.js'
import { admin } from './helpers/server.js'
import { useTestKms } from './helpers/use-kms.js'

let rsa: { keyId: string; alias: string; publicKey: string }
const opener = { secretId: 'AKIDRSAOPENER0000001', secretKey: 'opener-secret-key' }
const publisher = { secretId: 'AKIDRSAPUBLISHER0001', secretKey: 'publisher-secret-key' }

const identities = [
  { ...admin, allow: ['*'], keys: ['*'] },
  { ...opener, allow: ['AsymmetricRsaDecrypt'], keys: ['alias/openable'] },
  { ...publisher, allow: ['GetPublicKey'], keys: ['*'] },
]
const kms = useTestKms({ seed: { identities } })

beforeAll(async () => {
  rsa = await createAsymmetricKey(kms.sdk, 'ASYMMETRIC_DECRYPT_RSA_2048')
})

const algorithms = ['RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1', 'RSAES_PKCS1_V1_5'] as const

describe('AsymmetricRsaDecrypt', () => {
  it.each(algorithms)('decrypts what the public key encrypted locally with %s: the same bytes', async (algorithm) => {
    const data = randomBytes(32)
    const Ciphertext = rsaEncrypt(rsa.publicKey, algorithm, data)
    const res = await kms.sdk.call('AsymmetricRsaDecrypt', { KeyId: rsa.keyId, Ciphertext, Algorithm: algorithm })
    expect(res).toEqual({ KeyId: rsa.keyId, Plaintext: data.toString('base64'), RequestId: expect.any(String) })
  })

  it('decrypts the largest OAEP-SHA-256 plaintext (190 bytes) and accepts the key by alias', async () => {
    const data = randomBytes(190)
    const Ciphertext = rsaEncrypt(rsa.publicKey, 'RSAES_OAEP_SHA_256', data)
    const res = await kms.sdk.call('AsymmetricRsaDecrypt', {
      KeyId: `alias/${rsa.alias}`,
      Ciphertext,
      Algorithm: 'RSAES_OAEP_SHA_256',
    })
    expect(Buffer.from(res.Plaintext, 'base64').equals(data)).toBe(true)
  })

  it('answers a raw Tencent-shaped request with {Response:{KeyId,Plaintext,RequestId}}', async () => {
    const Ciphertext = rsaEncrypt(rsa.publicKey, 'RSAES_OAEP_SHA_256', Buffer.from('raw'))
    const body = JSON.stringify({ KeyId: rsa.keyId, Ciphertext, Algorithm: 'RSAES_OAEP_SHA_256' })
    const res = await rawRequest(kms.server.port, { action: 'AsymmetricRsaDecrypt', body })
    expect(res.status).toBe(200)
    expect(res.json).toEqual({ Response: { KeyId: rsa.keyId, Plaintext: b64('raw'), RequestId: expect.any(String) } })
    const bad = await rawRequest(kms.server.port, {
      action: 'AsymmetricRsaDecrypt',
      body: JSON.stringify({ KeyId: rsa.keyId, Ciphertext, Algorithm: 'RSAES_OAEP_SHA_1' }),
    })
    expect(bad.status).toBe(200)
    expect(errorCode(bad)).toBe('FailedOperation.DecryptError')
    expect(bad.json.Response.RequestId).toEqual(expect.any(String))
  })

  it('refuses another algorithm than the one used (FailedOperation.DecryptError)', async () => {
    const oaep256 = rsaEncrypt(rsa.publicKey, 'RSAES_OAEP_SHA_256', randomBytes(16))
    const pkcs1 = rsaEncrypt(rsa.publicKey, 'RSAES_PKCS1_V1_5', randomBytes(16))
    for (const [Ciphertext, Algorithm] of [
      [oaep256, 'RSAES_OAEP_SHA_1'],
      [pkcs1, 'RSAES_OAEP_SHA_256'],
      [pkcs1, 'RSAES_OAEP_SHA_1'],
    ]) {
      const error = await kms.sdk.fail('AsymmetricRsaDecrypt', { KeyId: rsa.keyId, Ciphertext, Algorithm })
      expect(error.code).toBe('FailedOperation.DecryptError')
    }
  })

  it.each(algorithms)(
    'refuses a tampered or truncated %s ciphertext (FailedOperation.DecryptError)',
    async (algorithm) => {
      const ciphertext = Buffer.from(rsaEncrypt(rsa.publicKey, algorithm, randomBytes(24)), 'base64')
      const flipped = Buffer.from(ciphertext)
      flipped[100]! ^= 0x01
      for (const bytes of [flipped, ciphertext.subarray(1), Buffer.alloc(256)]) {
        const params = { KeyId: rsa.keyId, Ciphertext: bytes.toString('base64'), Algorithm: algorithm }
        expect((await kms.sdk.fail('AsymmetricRsaDecrypt', params)).code).toBe('FailedOperation.DecryptError')
      }
    },
  )

  it.each([
    [{ Ciphertext: 'AA==', Algorithm: 'RSAES_OAEP_SHA_256' }, 'MissingParameter'],
    [{ KeyId: 'RSA', Algorithm: 'RSAES_OAEP_SHA_256' }, 'MissingParameter'],
    [{ KeyId: 'RSA', Ciphertext: 'AA==' }, 'MissingParameter'],
    [{ KeyId: 'RSA', Ciphertext: 'AA==', Algorithm: 'RSAES_OAEP_SHA_512' }, 'InvalidParameter'],
    [{ KeyId: 'RSA', Ciphertext: 'AA==', Algorithm: 'SM2' }, 'InvalidParameter'],
    [{ KeyId: 'RSA', Ciphertext: 'not base64!', Algorithm: 'RSAES_OAEP_SHA_256' }, 'InvalidParameter'],
    [{ KeyId: 'RSA', Ciphertext: b64(Buffer.alloc(257, 1)), Algorithm: 'RSAES_OAEP_SHA_256' }, 'InvalidParameter'],
    [{ KeyId: 'a b', Ciphertext: 'AA==', Algorithm: 'RSAES_OAEP_SHA_256' }, 'InvalidParameterValue.InvalidKeyId'],
    [{ KeyId: 'nope-key', Ciphertext: 'AA==', Algorithm: 'RSAES_OAEP_SHA_256' }, 'ResourceUnavailable.CmkNotFound'],
    [{ KeyId: 'RSA', Ciphertext: 'AA==', Algorithm: 'RSAES_OAEP_SHA_256', X: 1 }, 'UnknownParameter'],
  ])('rejects %j with %s', async (params, code) => {
    const p = { ...params } as Record<string, unknown>
    if (p.KeyId === 'RSA') p.KeyId = rsa.keyId
    expect((await kms.sdk.fail('AsymmetricRsaDecrypt', p)).code).toBe(code)
  })

  it('refuses keys of another usage (InvalidKeyUsage) and keys not Enabled (CmkStateNotSupport)', async () => {
    const Ciphertext = rsaEncrypt(rsa.publicKey, 'RSAES_OAEP_SHA_256', Buffer.from('x'))
    const sm2Key = await createAsymmetricKey(kms.sdk, 'ASYMMETRIC_DECRYPT_SM2')
    const symmetric = await createKey(kms.sdk, 'rsa-sym')
    for (const KeyId of [sm2Key.keyId, symmetric.keyId]) {
      const error = await kms.sdk.fail('AsymmetricRsaDecrypt', { KeyId, Ciphertext, Algorithm: 'RSAES_OAEP_SHA_256' })
      expect(error.code).toBe('InvalidParameterValue.InvalidKeyUsage')
    }
    const own = await createAsymmetricKey(kms.sdk, 'ASYMMETRIC_DECRYPT_RSA_2048')
    const mine = rsaEncrypt(own.publicKey, 'RSAES_OAEP_SHA_256', Buffer.from('y'))
    const params = { KeyId: own.keyId, Ciphertext: mine, Algorithm: 'RSAES_OAEP_SHA_256' }
    await kms.sdk.call('DisableKey', { KeyId: own.keyId })
    expect((await kms.sdk.fail('AsymmetricRsaDecrypt', params)).code).toBe('ResourceUnavailable.CmkStateNotSupport')
    await kms.sdk.call('EnableKey', { KeyId: own.keyId })
    expect((await kms.sdk.call('AsymmetricRsaDecrypt', params)).Plaintext).toBe(b64('y'))
  })

  it('refuses the ciphertext of another RSA key (FailedOperation.DecryptError)', async () => {
    const another = await createAsymmetricKey(kms.sdk, 'ASYMMETRIC_DECRYPT_RSA_2048')
    const Ciphertext = rsaEncrypt(another.publicKey, 'RSAES_OAEP_SHA_256', Buffer.from('z'))
    const error = await kms.sdk.fail('AsymmetricRsaDecrypt', {
      KeyId: rsa.keyId,
      Ciphertext,
      Algorithm: 'RSAES_OAEP_SHA_256',
    })
    expect(error.code).toBe('FailedOperation.DecryptError')
  })

  it('follows the identity: without AsymmetricRsaDecrypt, or on another key, the call is refused', async () => {
    const openable = await kms.sdk.call('CreateKey', { Alias: 'openable', KeyUsage: 'ASYMMETRIC_DECRYPT_RSA_2048' })
    const asPublisher = createSdkClient(kms.server.port, publisher)
    const asOpener = createSdkClient(kms.server.port, opener)
    try {
      const { PublicKey } = await asPublisher.call('GetPublicKey', { KeyId: openable.KeyId })
      const Ciphertext = rsaEncrypt(PublicKey, 'RSAES_OAEP_SHA_256', Buffer.from('wrapped'))
      const params = { KeyId: openable.KeyId, Ciphertext, Algorithm: 'RSAES_OAEP_SHA_256' }
      expect((await asPublisher.fail('AsymmetricRsaDecrypt', params)).code).toBe('AuthFailure.UnauthorizedOperation')
      expect((await asOpener.call('AsymmetricRsaDecrypt', params)).Plaintext).toBe(b64('wrapped'))
      const other = rsaEncrypt(rsa.publicKey, 'RSAES_OAEP_SHA_256', Buffer.from('other'))
      const refused = await asOpener.fail('AsymmetricRsaDecrypt', { ...params, KeyId: rsa.keyId, Ciphertext: other })
      expect(refused.code).toBe('AuthFailure.UnauthorizedOperation')
    } finally {
      asPublisher.close()
      asOpener.close()
    }
  })

  it('writes an audit line with action, key and code, never the plaintext', async () => {
    const canary = 'RSA-AUDIT-CANARY-7777'
    const Ciphertext = rsaEncrypt(rsa.publicKey, 'RSAES_OAEP_SHA_256', Buffer.from(canary))
    const ok = await kms.sdk.call('AsymmetricRsaDecrypt', {
      KeyId: rsa.keyId,
      Ciphertext,
      Algorithm: 'RSAES_OAEP_SHA_256',
    })
    const failed = await kms.sdk.fail('AsymmetricRsaDecrypt', {
      KeyId: rsa.keyId,
      Ciphertext,
      Algorithm: 'RSAES_OAEP_SHA_1',
    })
    const text = await readFile(join(kms.server.dataDir, 'audit.log'), 'utf8')
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.find((l) => l.requestId === ok.RequestId)).toMatchObject({
      action: 'AsymmetricRsaDecrypt',
      keyId: rsa.keyId,
      code: 'OK',
    })
    expect(lines.find((l) => l.requestId === failed.requestId)).toMatchObject({
      action: 'AsymmetricRsaDecrypt',
      keyId: rsa.keyId,
      code: 'FailedOperation.DecryptError',
    })
    expect(text).not.toContain(canary)
    expect(text).not.toContain(b64(canary))
    expect(text).not.toContain(Ciphertext)
  })
})
