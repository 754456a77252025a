import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorCode, rawRequest, signedAuthorization } from './helpers/raw.js'
import { b64, createSdkClient, type SdkClient } from './helpers/sdk.js'
import { admin, startTestKms, type TestKms } from './helpers/server.js'

const decrypter = { secretId: 'AKIDDECRYPTONLY', secretKey: 'decrypt-only-key' }
const encrypter = { secretId: 'AKIDENCRYPTER', secretKey: 'encrypter-key' }
const lister = { secretId: 'AKIDLISTER', secretKey: 'lister-key' }
const stsUser = { secretId: 'AKIDSTSUSER', secretKey: 'sts-user-key', token: 'sts-session-token' }

let server: TestKms
let sdk: SdkClient

beforeAll(async () => {
  server = await startTestKms({
    seed: {
      identities: [
        { ...admin, allow: ['*'], keys: ['*'] },
        { ...decrypter, allow: ['Decrypt'], keys: ['alias/app-key'] },
        { ...encrypter, allow: ['Encrypt', 'GenerateDataKey'], keys: ['fixed-key-1'] },
        { ...lister, allow: ['ListKeys'], keys: ['other-key'] },
        { ...stsUser, allow: ['*'], keys: ['*'] },
      ],
      keys: [
        { keyId: 'fixed-key-1', alias: 'app-key' },
        { keyId: 'fixed-key-2', alias: 'other-key' },
      ],
    },
  })
  sdk = createSdkClient(server.port)
})
afterAll(async () => {
  sdk.close()
  await server.stop()
})

const random = JSON.stringify({ NumberOfBytes: 8 })

describe('TC3 authentication (hand-built requests)', () => {
  it('accepts a correctly signed request (SDK signer, Host with port)', async () => {
    const res = await rawRequest(server.port, { body: random })
    expect(res.status).toBe(200)
    expect(res.json.Response.Plaintext).toEqual(expect.any(String))
  })

  it('accepts the plain-endpoint form: Host 127.0.0.1:<port>, service "127"', async () => {
    const res = await rawRequest(server.port, { body: random, host: `127.0.0.1:${server.port}`, service: '127' })
    expect(errorCode(res)).toBeUndefined()
  })

  it.each([
    ['a wrong secret key', { secretKey: 'wrong' }, 'AuthFailure.SignatureFailure'],
    ['an unknown SecretId', { secretId: 'AKIDUNKNOWN' }, 'AuthFailure.SecretIdNotFound'],
    ['a garbage Authorization', { authorization: 'garbage' }, 'AuthFailure.InvalidAuthorization'],
    ['no Authorization', { noAuth: true }, 'AuthFailure.InvalidAuthorization'],
    ['a non-numeric timestamp', { headers: { 'X-TC-Timestamp': 'yesterday' } }, 'AuthFailure.InvalidAuthorization'],
    ['another service in the scope', { service: 'cvm' }, 'AuthFailure.SignatureFailure'],
    ['a scope date that is not the timestamp date', { date: '2001-01-01' }, 'AuthFailure.SignatureFailure'],
    ['a signed host that differs from Host', { headers: { Host: 'evil.example.com' } }, 'AuthFailure.SignatureFailure'],
  ])('rejects %s', async (_name, options, code) => {
    const res = await rawRequest(server.port, { body: random, ...options })
    expect(res.status).toBe(200)
    expect(errorCode(res)).toBe(code)
    expect(res.json.Response.RequestId).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('rejects a body changed after signing (signature covers the raw bytes)', async () => {
    const host = `kms.tencentcloudapi.com:${server.port}`
    const timestamp = Math.floor(Date.now() / 1000)
    const authorization = signedAuthorization({
      ...admin,
      service: 'kms',
      host,
      contentType: 'application/json',
      body: Buffer.from(random),
      timestamp,
    })
    const tampered = JSON.stringify({ NumberOfBytes: 9 })
    const res = await rawRequest(server.port, { body: tampered, authorization, timestamp })
    expect(errorCode(res)).toBe('AuthFailure.SignatureFailure')
    const spaced = await rawRequest(server.port, { body: `${random} `, authorization, timestamp })
    expect(errorCode(spaced)).toBe('AuthFailure.SignatureFailure')
  })

  it('rejects an Authorization header that does not sign host and content-type', async () => {
    const authorization = `TC3-HMAC-SHA256 Credential=${admin.secretId}/2024-01-01/kms/tc3_request, SignedHeaders=content-type, Signature=${'0'.repeat(64)}`
    expect(errorCode(await rawRequest(server.port, { body: random, authorization }))).toBe(
      'AuthFailure.InvalidAuthorization',
    )
  })
})

describe('X-TC-Token', () => {
  it('is required, and must match, for an identity that has one', async () => {
    const withToken = createSdkClient(server.port, stsUser)
    const withoutToken = createSdkClient(server.port, { secretId: stsUser.secretId, secretKey: stsUser.secretKey })
    const wrongToken = createSdkClient(server.port, { ...stsUser, token: 'other-token' })
    try {
      expect((await withToken.call('GenerateRandom', { NumberOfBytes: 4 })).Plaintext).toBeTruthy()
      expect((await withoutToken.fail('GenerateRandom', { NumberOfBytes: 4 })).code).toBe('AuthFailure.TokenFailure')
      expect((await wrongToken.fail('GenerateRandom', { NumberOfBytes: 4 })).code).toBe('AuthFailure.TokenFailure')
    } finally {
      for (const c of [withToken, withoutToken, wrongToken]) c.close()
    }
  })

  it('is refused for an identity that has none', async () => {
    const res = await rawRequest(server.port, { body: random, token: 'unexpected' })
    expect(errorCode(res)).toBe('AuthFailure.TokenFailure')
  })
})

describe('permissions', () => {
  it('refuses an action the identity may not call', async () => {
    const client = createSdkClient(server.port, decrypter)
    try {
      const error = await client.fail('Encrypt', { KeyId: 'fixed-key-1', Plaintext: b64('x') })
      expect(error.code).toBe('AuthFailure.UnauthorizedOperation')
      expect((await client.fail('CreateKey', { Alias: 'nope' })).code).toBe('AuthFailure.UnauthorizedOperation')
    } finally {
      client.close()
    }
  })

  it('refuses a key the identity may not use, and does not reveal whether an unknown key exists', async () => {
    const client = createSdkClient(server.port, encrypter)
    try {
      expect((await client.call('Encrypt', { KeyId: 'fixed-key-1', Plaintext: b64('x') })).KeyId).toBe('fixed-key-1')
      expect((await client.call('Encrypt', { KeyId: 'alias/app-key', Plaintext: b64('x') })).KeyId).toBe('fixed-key-1')
      for (const KeyId of ['fixed-key-2', 'alias/other-key', 'no-such-key']) {
        const error = await client.fail('Encrypt', { KeyId, Plaintext: b64('x') })
        expect(error.code).toBe('AuthFailure.UnauthorizedOperation')
      }
    } finally {
      client.close()
    }
  })

  it('checks Decrypt against the key inside the blob', async () => {
    const client = createSdkClient(server.port, decrypter)
    try {
      const mine = (await sdk.call('Encrypt', { KeyId: 'fixed-key-1', Plaintext: b64('mine') })).CiphertextBlob
      const other = (await sdk.call('Encrypt', { KeyId: 'fixed-key-2', Plaintext: b64('other') })).CiphertextBlob
      expect((await client.call('Decrypt', { CiphertextBlob: mine })).Plaintext).toBe(b64('mine'))
      expect((await client.fail('Decrypt', { CiphertextBlob: other })).code).toBe('AuthFailure.UnauthorizedOperation')
    } finally {
      client.close()
    }
  })

  it('ListKeys shows only the keys the identity may use', async () => {
    const client = createSdkClient(server.port, lister)
    try {
      expect(await client.call('ListKeys')).toMatchObject({ Keys: [{ KeyId: 'fixed-key-2' }], TotalCount: 1 })
    } finally {
      client.close()
    }
  })

  it('audits refused calls with the claimed SecretId and the code', async () => {
    const client = createSdkClient(server.port, decrypter)
    try {
      await client.fail('Encrypt', { KeyId: 'fixed-key-1', Plaintext: b64('x') })
    } finally {
      client.close()
    }
    const lines = (await readFile(join(server.dataDir, 'audit.log'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines).toContainEqual(
      expect.objectContaining({
        secretId: decrypter.secretId,
        action: 'Encrypt',
        code: 'AuthFailure.UnauthorizedOperation',
      }),
    )
    expect(lines).toContainEqual(
      expect.objectContaining({ secretId: 'AKIDUNKNOWN', code: 'AuthFailure.SecretIdNotFound' }),
    )
  })

  it('still serves valid requests after all of the above', async () => {
    expect((await sdk.call('GenerateRandom', { NumberOfBytes: 16 })).Plaintext).toBeTruthy()
  })
})

describe('the 5-minute window (server clock pinned, no wall-clock time involved)', () => {
  const serverSeconds = 1_700_000_000
  let nowMs = serverSeconds * 1000
  let pinned: TestKms
  beforeAll(async () => {
    pinned = await startTestKms({ clock: () => nowMs })
  })
  afterAll(() => pinned.stop())
  const call = (timestamp: number) => rawRequest(pinned.port, { body: random, timestamp })

  it.each([
    [-31_536_000, 'AuthFailure.SignatureExpire'],
    [-301, 'AuthFailure.SignatureExpire'],
    [-300, 'OK'],
    [0, 'OK'],
    [300, 'OK'],
    [301, 'AuthFailure.SignatureExpire'],
    [400, 'AuthFailure.SignatureExpire'],
  ])('a timestamp %i s from server time → %s', async (offset, code) => {
    // The last millisecond of the second: the window counts whole seconds of the server clock.
    nowMs = serverSeconds * 1000 + 999
    expect(errorCode(await call(serverSeconds + offset)) ?? 'OK').toBe(code)
  })

  it('a captured request replays inside the window (TC3 has no nonce, as Tencent) and is refused after it', async () => {
    const timestamp = serverSeconds
    const body = JSON.stringify({ NumberOfBytes: 4 })
    const host = `kms.tencentcloudapi.com:${pinned.port}`
    const authorization = signedAuthorization({
      ...admin,
      service: 'kms',
      host,
      contentType: 'application/json',
      body: Buffer.from(body),
      timestamp,
    })
    const replay = () => rawRequest(pinned.port, { body, timestamp, authorization })
    nowMs = timestamp * 1000
    expect(errorCode(await replay())).toBeUndefined()
    expect(errorCode(await replay())).toBeUndefined()
    nowMs = (timestamp + 300) * 1000 + 999
    expect(errorCode(await replay())).toBeUndefined()
    nowMs = (timestamp + 301) * 1000
    expect(errorCode(await replay())).toBe('AuthFailure.SignatureExpire')
  })
})
