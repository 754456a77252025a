import { createPublicKey } from 'node:crypto'
import { sm2 } from 'sm-crypto-v2'
import { describe, expect, it } from 'vitest'
import { startLocalKms } from '../src/index.js'
import { createAsymmetricKey, sm2PointHex, sm2SpkiPrefix } from './helpers/asymmetric.js'
import { errorCode, rawRequest } from './helpers/raw.js'
import { createKey, createSdkClient } from './helpers/sdk.js'
import { admin, startTestKms } from './helpers/server.js'
import { useTestKms } from './helpers/use-kms.js'

const reader = { secretId: 'AKIDPUBKEYREADER0001', secretKey: 'reader-secret-key' }
const other = { secretId: 'AKIDPUBKEYOTHER00001', secretKey: 'other-secret-key' }

const identities = [
  { ...admin, allow: ['*'], keys: ['*'] },
  { ...reader, allow: ['GetPublicKey'], keys: ['alias/readable'] },
  { ...other, allow: ['DescribeKey'], keys: ['*'] },
]
const kms = useTestKms({ seed: { identities } })

const pemRE =
  /^-----BEGIN PUBLIC KEY-----\n(?:[A-Za-z0-9+/]{64}\n)*[A-Za-z0-9+/]{1,63}={0,2}\n-----END PUBLIC KEY-----\n$/

function pemBody(pem: string): string {
  return pem.replace(/-----(?:BEGIN|END) PUBLIC KEY-----/g, '').replace(/\n/g, '')
}

describe('GetPublicKey', () => {
  it('returns an RSA-2048 key as base64 DER SubjectPublicKeyInfo (rsaEncryption) and PEM of the same', async () => {
    const { KeyId } = await kms.sdk.call('CreateKey', { Alias: 'rsa-pub', KeyUsage: 'ASYMMETRIC_DECRYPT_RSA_2048' })
    const res = await kms.sdk.call('GetPublicKey', { KeyId })
    expect(res).toEqual({
      KeyId,
      PublicKey: expect.stringMatching(/^MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A/),
      PublicKeyPem: expect.stringMatching(pemRE),
      RequestId: expect.any(String),
    })
    const key = createPublicKey({ key: Buffer.from(res.PublicKey, 'base64'), format: 'der', type: 'spki' })
    expect(key.asymmetricKeyType).toBe('rsa')
    expect(key.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n })
    expect(res.PublicKeyPem).toBe(key.export({ type: 'spki', format: 'pem' }))
    expect(pemBody(res.PublicKeyPem)).toBe(res.PublicKey)
  })

  it('returns an SM2 key as SPKI with id-ecPublicKey + curve 1.2.156.10197.1.301 and an uncompressed point', async () => {
    const { KeyId } = await kms.sdk.call('CreateKey', { Alias: 'sm2-pub', KeyUsage: 'ASYMMETRIC_DECRYPT_SM2' })
    const res = await kms.sdk.call('GetPublicKey', { KeyId })
    expect(res.KeyId).toBe(KeyId)
    // The prefix Tencent's own SM2 example shows.
    expect(res.PublicKey).toMatch(/^MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAE/)
    const der = Buffer.from(res.PublicKey, 'base64')
    expect(der.length).toBe(91)
    expect(der.toString('hex').startsWith(sm2SpkiPrefix)).toBe(true)
    expect(sm2.verifyPublicKey(sm2PointHex(res.PublicKey))).toBe(true)
    expect(res.PublicKeyPem).toMatch(pemRE)
    expect(pemBody(res.PublicKeyPem)).toBe(res.PublicKey)
  })

  it('gives the same key every time, by KeyId, alias/<name> or bare alias; keys differ', async () => {
    const a = await createAsymmetricKey(kms.sdk, 'ASYMMETRIC_DECRYPT_SM2')
    const b = await createAsymmetricKey(kms.sdk, 'ASYMMETRIC_DECRYPT_SM2')
    for (const ref of [a.keyId, `alias/${a.alias}`, a.alias]) {
      expect((await kms.sdk.call('GetPublicKey', { KeyId: ref })).PublicKey).toBe(a.publicKey)
    }
    expect(b.publicKey).not.toBe(a.publicKey)
  })

  it('answers a raw Tencent-shaped request with {Response:{KeyId,PublicKey,PublicKeyPem,RequestId}}', async () => {
    const { keyId, publicKey } = await createAsymmetricKey(kms.sdk, 'ASYMMETRIC_DECRYPT_RSA_2048')
    const res = await rawRequest(kms.server.port, { action: 'GetPublicKey', body: JSON.stringify({ KeyId: keyId }) })
    expect(res.status).toBe(200)
    expect(Object.keys(res.json.Response).sort()).toEqual(['KeyId', 'PublicKey', 'PublicKeyPem', 'RequestId'])
    expect(res.json.Response.PublicKey).toBe(publicKey)
    const missing = await rawRequest(kms.server.port, { action: 'GetPublicKey', body: '{}' })
    expect(errorCode(missing)).toBe('MissingParameter')
  })

  it('refuses a symmetric key (InvalidKeyUsage) and Disabled / PendingDelete keys (CmkStateNotSupport)', async () => {
    const symmetric = await createKey(kms.sdk, 'pub-sym')
    expect((await kms.sdk.fail('GetPublicKey', { KeyId: symmetric.keyId })).code).toBe(
      'InvalidParameterValue.InvalidKeyUsage',
    )
    const { keyId } = await createAsymmetricKey(kms.sdk, 'ASYMMETRIC_DECRYPT_RSA_2048')
    await kms.sdk.call('DisableKey', { KeyId: keyId })
    expect((await kms.sdk.fail('GetPublicKey', { KeyId: keyId })).code).toBe('ResourceUnavailable.CmkStateNotSupport')
    await kms.sdk.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    expect((await kms.sdk.fail('GetPublicKey', { KeyId: keyId })).code).toBe('ResourceUnavailable.CmkStateNotSupport')
    await kms.sdk.call('CancelKeyDeletion', { KeyId: keyId })
    await kms.sdk.call('EnableKey', { KeyId: keyId })
    expect((await kms.sdk.call('GetPublicKey', { KeyId: keyId })).KeyId).toBe(keyId)
  })

  it.each([
    [{}, 'MissingParameter'],
    [{ KeyId: 7 }, 'InvalidParameter'],
    [{ KeyId: 'a b' }, 'InvalidParameterValue.InvalidKeyId'],
    [{ KeyId: '00000000-0000-0000-0000-000000000000' }, 'ResourceUnavailable.CmkNotFound'],
    [{ KeyId: 'k', MemberAccount: {} }, 'UnknownParameter'],
  ])('rejects %j with %s', async (params, code) => {
    expect((await kms.sdk.fail('GetPublicKey', params)).code).toBe(code)
  })

  it('follows the identity: action and key must both be allowed', async () => {
    const readable = await kms.sdk.call('CreateKey', { Alias: 'readable', KeyUsage: 'ASYMMETRIC_DECRYPT_SM2' })
    const hidden = await createAsymmetricKey(kms.sdk, 'ASYMMETRIC_DECRYPT_SM2')
    const asReader = createSdkClient(kms.server.port, reader)
    const asOther = createSdkClient(kms.server.port, other)
    try {
      expect((await asReader.call('GetPublicKey', { KeyId: readable.KeyId })).KeyId).toBe(readable.KeyId)
      expect((await asReader.fail('GetPublicKey', { KeyId: hidden.keyId })).code).toBe(
        'AuthFailure.UnauthorizedOperation',
      )
      expect((await asOther.fail('GetPublicKey', { KeyId: readable.KeyId })).code).toBe(
        'AuthFailure.UnauthorizedOperation',
      )
    } finally {
      asReader.close()
      asOther.close()
    }
  })

  it('keeps the key pair across a restart on the same data dir', async () => {
    const own = await startTestKms()
    let client = createSdkClient(own.port)
    try {
      const { keyId, publicKey } = await createAsymmetricKey(client, 'ASYMMETRIC_DECRYPT_RSA_2048')
      client.close()
      await own.kms.close()
      const again = await startLocalKms({ dataDir: own.dataDir, port: 0, quiet: true })
      client = createSdkClient(again.port)
      try {
        expect((await client.call('GetPublicKey', { KeyId: keyId })).PublicKey).toBe(publicKey)
      } finally {
        await again.close()
      }
    } finally {
      client.close()
      await own.stop()
    }
  })
})
