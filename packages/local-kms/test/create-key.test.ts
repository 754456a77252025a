import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createSdkClient } from './helpers/sdk.js'
import { useTestKms } from './helpers/use-kms.js'

const kms = useTestKms()

describe('CreateKey', () => {
  it('creates an Enabled ENCRYPT_DECRYPT key and answers in the Tencent shape', async () => {
    const before = Math.floor(Date.now() / 1000)
    const res = await kms.sdk.call('CreateKey', { Alias: 'app-key', Description: 'for tests' })
    expect(res).toEqual({
      KeyId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      Alias: 'app-key',
      CreateTime: expect.any(Number),
      Description: 'for tests',
      KeyState: 'Enabled',
      KeyUsage: 'ENCRYPT_DECRYPT',
      RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    })
    expect(res.CreateTime).toBeGreaterThanOrEqual(before)
  })

  it.each(['ASYMMETRIC_DECRYPT_RSA_2048', 'ASYMMETRIC_DECRYPT_SM2'])(
    'creates an Enabled %s key with its own key pair',
    async (usage) => {
      const res = await kms.sdk.call('CreateKey', { Alias: `asym-${usage.length}-${usage.at(-1)}`, KeyUsage: usage })
      expect(res).toMatchObject({ KeyState: 'Enabled', KeyUsage: usage, Description: '' })
      expect((await kms.sdk.call('GetPublicKey', { KeyId: res.KeyId })).PublicKey).toEqual(expect.any(String))
      const file = JSON.parse(await readFile(join(kms.server.dataDir, 'keys', `${res.KeyId}.json`), 'utf8'))
      expect(file.format).toBe('local-kms/key@1')
      expect(file.data).toMatchObject({ keyUsage: usage, versions: [], keyPair: { privateKey: expect.any(String) } })
    },
  )

  it('treats an empty KeyUsage as ENCRYPT_DECRYPT', async () => {
    expect((await kms.sdk.call('CreateKey', { Alias: 'empty-usage', KeyUsage: '' })).KeyUsage).toBe('ENCRYPT_DECRYPT')
  })

  it('also works with the plain 127.0.0.1:<port> endpoint (SDK signs service "127")', async () => {
    const plain = createSdkClient(kms.server.port, undefined, { plainEndpoint: true })
    try {
      const res = await plain.call('CreateKey', { Alias: 'plain-endpoint' })
      expect(res.KeyState).toBe('Enabled')
    } finally {
      plain.close()
    }
  })

  it('reports Tags handling when Tags are sent', async () => {
    const res = await kms.sdk.call('CreateKey', { Alias: 'tagged', Tags: [{ TagKey: 'env', TagValue: 'test' }] })
    expect(res.TagCode).toBe(0)
  })

  it.each([
    [{}, 'MissingParameter'],
    [{ Alias: '' }, 'MissingParameter'],
    [{ Alias: 12 }, 'InvalidParameter'],
    [{ Alias: '-bad' }, 'InvalidParameterValue.InvalidAlias'],
    [{ Alias: 'has space' }, 'InvalidParameterValue.InvalidAlias'],
    [{ Alias: 'a'.repeat(61) }, 'InvalidParameterValue.InvalidAlias'],
    [{ Alias: 'kms-reserved' }, 'InvalidParameterValue.InvalidAlias'],
    [{ Alias: 'ok1', Description: 'x'.repeat(1025) }, 'InvalidParameterValue'],
    [{ Alias: 'ok2', KeyUsage: 'NOPE' }, 'InvalidParameterValue.InvalidKeyUsage'],
    [{ Alias: 'ok2b', KeyUsage: 'asymmetric_decrypt_sm2' }, 'InvalidParameterValue.InvalidKeyUsage'],
    [
      { Alias: 'ok3', KeyUsage: 'ASYMMETRIC_SIGN_VERIFY_SM2' },
      'UnsupportedOperation.UnsupportedKeyUsageInCurrentRegion',
    ],
    [
      { Alias: 'ok3b', KeyUsage: 'ASYMMETRIC_SIGN_VERIFY_RSA_2048' },
      'UnsupportedOperation.UnsupportedKeyUsageInCurrentRegion',
    ],
    [{ Alias: 'ok4', Type: 3 }, 'InvalidParameterValue.InvalidType'],
    [{ Alias: 'ok5', Type: 2 }, 'UnsupportedOperation'],
    [{ Alias: 'ok6', Bogus: 1 }, 'UnknownParameter'],
  ])('rejects %j with %s', async (params, code) => {
    const error = await kms.sdk.fail('CreateKey', params)
    expect(error.code).toBe(code)
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('refuses an alias that is in use', async () => {
    await kms.sdk.call('CreateKey', { Alias: 'taken' })
    expect((await kms.sdk.fail('CreateKey', { Alias: 'taken' })).code).toBe('InvalidParameterValue.AliasAlreadyExists')
  })

  it('never echoes the offending value in the message', async () => {
    const error = await kms.sdk.fail('CreateKey', { Alias: 'SECRET-VALUE with space' })
    expect(error.message).not.toContain('SECRET-VALUE')
  })
})
