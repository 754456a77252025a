import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTencentProvider, isRetryableKmsError, tencentAdmin } from '../src/index.js'
import { type StubReply, startTencentStub, type TencentStub } from './support/tencent-stub.js'

const credential = { secretId: 'AKIDtest', secretKey: 'test-secret-key' }
const dataKey = Buffer.alloc(32, 7).toString('base64')
let reply: (action: string) => StubReply = () => ({ ok: {} })
let stub: TencentStub

beforeAll(async () => {
  stub = await startTencentStub((r) => reply(r.action))
})
afterAll(() => stub.close())

const provider = (extra: object = {}) =>
  createTencentProvider({ endpoint: stub.endpoint, credential, region: 'ap-shanghai', env: {}, ...extra })

describe('createTencentProvider against a Tencent-shaped server', () => {
  it('GenerateDataKey: signs as service kms for host kms.tencentcloudapi.com, sends KeySpec + context', async () => {
    reply = () => ({ ok: { KeyId: 'key-uuid', Plaintext: dataKey, CiphertextBlob: 'blob-k-x' } })
    const dk = await provider().generateDataKey({ keyId: 'alias/app', encryptionContext: '{"kms-secrets":"1"}' })
    expect(dk).toMatchObject({ keyId: 'key-uuid', ciphertextBlob: 'blob-k-x', requestId: 'req-ok' })
    expect(Buffer.from(dk.plaintext)).toEqual(Buffer.alloc(32, 7))
    const req = stub.requests.at(-1)!
    expect(req.action).toBe('GenerateDataKey')
    expect(req.body).toEqual({ KeyId: 'alias/app', KeySpec: 'AES_256', EncryptionContext: '{"kms-secrets":"1"}' })
    expect(req.headers.host).toBe(`kms.tencentcloudapi.com:${stub.port}`)
    expect(req.headers['x-tc-region']).toBe('ap-shanghai')
    expect(req.headers['x-tc-version']).toBe('2019-01-18')
    expect(req.headers.authorization).toMatch(/Credential=AKIDtest\/\d{4}-\d\d-\d\d\/kms\/tc3_request/)
  })

  it('passes a session token and decodes Decrypt', async () => {
    reply = () => ({ ok: { KeyId: 'k', Plaintext: Buffer.from('hi').toString('base64') } })
    const res = await provider({ credential: { ...credential, token: 'sts-token' } }).decrypt({ ciphertextBlob: 'b' })
    expect(new TextDecoder().decode(res.plaintext)).toBe('hi')
    expect(stub.requests.at(-1)?.headers['x-tc-token']).toBe('sts-token')
    expect(stub.requests.at(-1)?.body).toEqual({ CiphertextBlob: 'b' })
  })

  it.each([
    ['AuthFailure.SignatureFailure', 'ERR_KMS_UNAUTHORIZED', false],
    ['UnauthorizedOperation', 'ERR_KMS_UNAUTHORIZED', false],
    ['ResourceUnavailable.CmkNotFound', 'ERR_KMS_KEY_NOT_FOUND', false],
    ['InvalidParameterValue.InvalidKeyId', 'ERR_KMS_KEY_NOT_FOUND', false],
    ['ResourceUnavailable.CmkDisabled', 'ERR_KMS_KEY_DISABLED', false],
    ['ResourceUnavailable.CmkStateNotSupport', 'ERR_KMS_KEY_STATE', false],
    ['InvalidParameterValue.InvalidCiphertext', 'ERR_KMS_INVALID_CIPHERTEXT', false],
    ['RequestLimitExceeded', 'ERR_KMS_THROTTLED', true],
    ['RequestLimitExceeded.UinLimitExceeded', 'ERR_KMS_THROTTLED', true],
    ['InternalError', 'ERR_KMS_UNAVAILABLE', true],
    ['ServiceUnavailable', 'ERR_KMS_UNAVAILABLE', true],
    ['InvalidParameter', 'ERR_KMS_INVALID_PARAMETER', false],
    ['NoSuchVersion', 'ERR_KMS_REQUEST', false],
  ])('maps %s → %s (retryable %s), keeping Code and RequestId', async (kmsCode, code, retry) => {
    reply = () => ({ error: kmsCode })
    const e = await provider()
      .decrypt({ ciphertextBlob: 'b' })
      .catch((x: unknown) => x)
    expect(e).toMatchObject({ name: 'KmsSecretsError', code, kmsCode, requestId: 'req-err' })
    expect(isRetryableKmsError(e)).toBe(retry)
  })

  it.each([
    [503, 'ERR_KMS_UNAVAILABLE'],
    [500, 'ERR_KMS_UNAVAILABLE'],
    [429, 'ERR_KMS_THROTTLED'],
    [404, 'ERR_KMS_REQUEST'],
  ])('maps HTTP %i → %s', async (status, code) => {
    reply = () => ({ status, text: 'nope' })
    await expect(provider().decrypt({ ciphertextBlob: 'b' })).rejects.toMatchObject({ code })
  })

  it('maps a 200 non-JSON answer to ERR_KMS_UNAVAILABLE', async () => {
    reply = () => ({ status: 200, text: '<html>gateway</html>', contentType: 'text/html' })
    await expect(provider().decrypt({ ciphertextBlob: 'b' })).rejects.toMatchObject({ code: 'ERR_KMS_UNAVAILABLE' })
  })

  it('never puts the Encrypt plaintext in an error, even if the server echoes it', async () => {
    const secret = Buffer.from('super-secret-value').toString('base64')
    reply = () => ({ error: 'InvalidParameterValue.InvalidPlaintext', message: `bad plaintext ${secret}` })
    const e = (await provider()
      .encrypt({ keyId: 'k', plaintext: new TextEncoder().encode('super-secret-value') })
      .catch((x: unknown) => x)) as Error
    expect(e).toMatchObject({ code: 'ERR_KMS_INVALID_PARAMETER' })
    expect(`${e.message} ${String(e)} ${JSON.stringify(e)}`).not.toContain(secret)
  })

  it('times out with ERR_KMS_TIMEOUT (retryable)', async () => {
    reply = () => ({ hang: true })
    const e = await provider({ timeoutMs: 200 })
      .decrypt({ ciphertextBlob: 'b' })
      .catch((x: unknown) => x)
    expect(e).toMatchObject({ code: 'ERR_KMS_TIMEOUT' })
    expect(isRetryableKmsError(e)).toBe(true)
  })

  it('per-call timeoutMs gives ERR_KMS_TIMEOUT', async () => {
    reply = () => ({ hang: true })
    await expect(provider().decrypt({ ciphertextBlob: 'b' }, { timeoutMs: 150 })).rejects.toMatchObject({
      code: 'ERR_KMS_TIMEOUT',
    })
  })

  it('connection refused → ERR_KMS_NETWORK (retryable)', async () => {
    const other = await startTencentStub(() => ({ ok: {} }))
    await other.close()
    const e = await createTencentProvider({ endpoint: other.endpoint, credential, env: {} })
      .decrypt({ ciphertextBlob: 'b' })
      .catch((x: unknown) => x)
    expect(e).toMatchObject({ code: 'ERR_KMS_NETWORK' })
    expect(isRetryableKmsError(e)).toBe(true)
  })

  it('missing credentials → ERR_KMS_CREDENTIALS with a hint, no request sent', async () => {
    const before = stub.requests.length
    const e = await provider({ credential: { secretId: '', secretKey: '' } })
      .decrypt({ ciphertextBlob: 'b' })
      .catch((x: unknown) => x)
    expect(e).toMatchObject({ code: 'ERR_KMS_CREDENTIALS' })
    expect((e as { hint: string }).hint).toMatch(/TENCENTCLOUD_SECRET_ID/)
    expect(stub.requests.length).toBe(before)
  })

  it('ignores http_proxy for a loopback endpoint', async () => {
    const saved = process.env.http_proxy
    process.env.http_proxy = 'http://127.0.0.1:9'
    try {
      reply = () => ({ ok: { KeyId: 'k', Plaintext: '' } })
      await expect(provider().decrypt({ ciphertextBlob: 'b' })).resolves.toMatchObject({ keyId: 'k' })
    } finally {
      if (saved === undefined) delete process.env.http_proxy
      else process.env.http_proxy = saved
    }
  })

  it('reads KMS_SECRETS_ENDPOINT and TENCENTCLOUD_REGION from env', async () => {
    reply = () => ({ ok: { KeyId: 'k', Plaintext: '' } })
    const p = createTencentProvider({
      credential,
      env: { KMS_SECRETS_ENDPOINT: stub.endpoint, TENCENTCLOUD_REGION: 'ap-beijing' },
    })
    expect(p.region).toBe('ap-beijing')
    await p.decrypt({ ciphertextBlob: 'b' })
    expect(stub.requests.at(-1)?.headers['x-tc-region']).toBe('ap-beijing')
  })

  it('admin: createKey and describeKey map fields', async () => {
    reply = (action) =>
      action === 'CreateKey'
        ? { ok: { KeyId: 'new-key', Alias: 'app', KeyState: 'Enabled', CreateTime: 1 } }
        : { ok: { KeyMetadata: { KeyId: 'new-key', Alias: 'app', KeyState: 'Disabled', KeyRotationEnabled: true } } }
    const admin = tencentAdmin({ endpoint: stub.endpoint, credential, env: {} })
    expect(await admin.createKey({ alias: 'app' })).toEqual({
      keyId: 'new-key',
      alias: 'app',
      keyState: 'Enabled',
      createTime: 1,
    })
    expect(stub.requests.at(-1)?.body).toEqual({ Alias: 'app' })
    expect(await admin.describeKey('new-key')).toMatchObject({ keyState: 'Disabled', keyRotationEnabled: true })
  })
})

describe('region/endpoint resolution', () => {
  it('defaults to ap-guangzhou and the cloud endpoint', () => {
    expect(createTencentProvider({ credential, env: {} }).region).toBe('ap-guangzhou')
  })
  it.each([
    'http://kms.example.com',
    'ftp://127.0.0.1',
    'not a url',
    'http://127.0.0.1:4599/path',
    'http://u:p@127.0.0.1',
  ])('rejects endpoint %s with ERR_KMS_CONFIG', (endpoint) => {
    expect(() => createTencentProvider({ credential, endpoint, env: {} })).toThrow(
      expect.objectContaining({ code: 'ERR_KMS_CONFIG' }),
    )
  })
  it('rejects a bad region', () => {
    expect(() => createTencentProvider({ credential, region: 'AP GZ', env: {} })).toThrow(
      expect.objectContaining({ code: 'ERR_KMS_CONFIG' }),
    )
  })
})

describe('credentials', () => {
  it('uses the SDK default chain (env TENCENTCLOUD_SECRET_ID/KEY) when no credential is given', async () => {
    const saved = { id: process.env.TENCENTCLOUD_SECRET_ID, key: process.env.TENCENTCLOUD_SECRET_KEY }
    process.env.TENCENTCLOUD_SECRET_ID = 'AKIDfromenv'
    process.env.TENCENTCLOUD_SECRET_KEY = 'key-from-env'
    try {
      reply = () => ({ ok: { KeyId: 'k', Plaintext: '' } })
      await createTencentProvider({ endpoint: stub.endpoint, env: {} }).decrypt({ ciphertextBlob: 'b' })
      expect(stub.requests.at(-1)?.headers.authorization).toContain('Credential=AKIDfromenv/')
    } finally {
      for (const [k, v] of [
        ['TENCENTCLOUD_SECRET_ID', saved.id],
        ['TENCENTCLOUD_SECRET_KEY', saved.key],
      ] as const) {
        if (v === undefined) delete process.env[k]
        else process.env[k] = v
      }
    }
  })

  it('accepts a dynamic credential provider; a failing one → ERR_KMS_CREDENTIALS without its message', async () => {
    reply = () => ({ ok: { KeyId: 'k', Plaintext: '' } })
    await provider({ credential: { getCredential: async () => credential } }).decrypt({ ciphertextBlob: 'b' })
    const e = (await provider({
      credential: {
        getCredential: async () => {
          throw new Error('sts said token=SECRET-TOKEN')
        },
      },
    })
      .decrypt({ ciphertextBlob: 'b' })
      .catch((x: unknown) => x)) as Error
    expect(e).toMatchObject({ code: 'ERR_KMS_CREDENTIALS' })
    expect(e.message).not.toContain('SECRET-TOKEN')
  })
})
