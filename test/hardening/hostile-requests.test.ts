import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFigures, scaled } from './support/figures.js'
import { keyIdFor, newIdentity, providerFor, sdkClient, startKms, type TestKms } from './support/kms.js'
import { type RawResponse, rawCall, sendRaw, signedRequest } from './support/tc3.js'

const figures = createFigures('hostile-requests')
const keyA = keyIdFor('reqA')
const keyB = keyIdFor('reqB')
const admin = newIdentity('Admin')
const runtimeA = newIdentity('RuntimeA')
const runtimeB = newIdentity('RuntimeB')
const sts = { ...newIdentity('Sts'), token: 'sts-session-token-0123456789' }
/** The server's clock offset (ms): lets a test age a captured request past the 5-minute window. */
const skew = { ms: 0 }
const headersTimeoutMs = 1000
const requestTimeoutMs = 2000
let kms: TestKms
let port: number
let blobA: string
let blobB: string
const plainA = Buffer.from('value-of-key-a').toString('base64')

beforeAll(async () => {
  kms = await startKms({
    seed: {
      identities: [
        { ...admin, allow: ['*'], keys: ['*'] },
        { ...runtimeA, allow: ['Decrypt'], keys: [keyA] },
        { ...runtimeB, allow: ['Decrypt'], keys: [keyB] },
        { ...sts, allow: ['*'], keys: [keyA] },
      ],
      keys: [
        { keyId: keyA, alias: 'hard-req-a' },
        { keyId: keyB, alias: 'hard-req-b' },
      ],
    },
    headersTimeoutMs,
    requestTimeoutMs,
    clock: () => Date.now() + skew.ms,
  })
  port = kms.port
  const adminSdk = sdkClient(kms.endpoint, admin)
  blobA = ((await adminSdk.request('Encrypt', { KeyId: keyA, Plaintext: plainA })) as { CiphertextBlob: string })
    .CiphertextBlob
  blobB = ((await adminSdk.request('Encrypt', { KeyId: keyB, Plaintext: plainA })) as { CiphertextBlob: string })
    .CiphertextBlob
  adminSdk.close()
})
afterAll(async () => {
  figures.write()
  await kms.dispose()
})

/**
 * Runs an attack while a legitimate client (core's Tencent provider, as the runtime uses it) keeps decrypting;
 * every one of its calls must succeed with the right plaintext.
 */
async function underAttack(name: string, attack: () => Promise<void>): Promise<void> {
  const provider = providerFor(kms.endpoint, runtimeA)
  let stop = false
  const outcome = { ok: 0, failed: [] as string[] }
  const valid = (async () => {
    while (!stop) {
      try {
        const res = await provider.decrypt({ ciphertextBlob: blobA })
        if (Buffer.from(res.plaintext).toString('base64') === plainA) outcome.ok++
        else outcome.failed.push('wrong plaintext')
      } catch (e) {
        outcome.failed.push((e as { code?: string }).code ?? 'untyped')
      }
    }
  })()
  try {
    await attack()
  } finally {
    stop = true
    await valid
  }
  figures.count('validCallsDuringAttack', name, outcome.ok)
  expect(outcome.failed, `valid client failed during ${name}`).toEqual([])
  expect(outcome.ok).toBeGreaterThan(0)
}

function refused(attack: string, res: RawResponse, code: string): void {
  expect(res.code, attack).toBe(code)
  if (res.status === 200) expect(res.json.Response?.RequestId).toMatch(/^[0-9a-f-]{36}$/)
  figures.count('refusedByCode', code)
}

const decrypt = (who = runtimeA, extra: Partial<Parameters<typeof rawCall>[1]> = {}) =>
  rawCall(port, { action: 'Decrypt', params: { CiphertextBlob: blobA }, who, ...extra })

describe('signatures: replay, expiry, scope', () => {
  it('a captured signed request replays within the 5-minute window (as Tencent), and not after it', async () => {
    const captured = signedRequest(port, { action: 'Decrypt', params: { CiphertextBlob: blobA }, who: runtimeA })
    await underAttack('replay', async () => {
      const replays = await Promise.all(Array.from({ length: 20 }, () => sendRaw(port, captured)))
      for (const r of replays) expect(r.json.Response?.Plaintext).toBe(plainA)
      figures.set('replaysAcceptedWithinWindow', replays.length)
    })
    // Age the server clock (everyone's requests would now be stale, so no parallel client here).
    skew.ms = 301_000
    try {
      refused('replay after 301 s', await sendRaw(port, captured), 'AuthFailure.SignatureExpire')
    } finally {
      skew.ms = 0
    }
  })

  it('X-TC-Action is not covered by the signature: a captured request can be re-targeted within its permissions', async () => {
    await underAttack('action swap', async () => {
      const swap = (who: typeof admin) =>
        sendRaw(
          port,
          signedRequest(port, { action: 'Decrypt', params: { CiphertextBlob: blobA }, who })
            .toString('latin1')
            .replace('X-TC-Action: Decrypt', 'X-TC-Action: ReEncrypt'),
        )
      refused(
        'Decrypt re-targeted to ReEncrypt (no permission)',
        await swap(runtimeA),
        'AuthFailure.UnauthorizedOperation',
      )
      const res = await swap(admin)
      expect(res.code).toBe('OK')
      figures.set('actionSwapAcceptedWithinPermissions', true)
    })
  })

  it('expired and future timestamps, wrong service scope, unknown identity, wrong key', async () => {
    const now = Math.floor(Date.now() / 1000)
    await underAttack('timestamps and scope', async () => {
      refused('301 s old', await decrypt(runtimeA, { timestamp: now - 301 }), 'AuthFailure.SignatureExpire')
      refused('301 s ahead', await decrypt(runtimeA, { timestamp: now + 301 }), 'AuthFailure.SignatureExpire')
      refused('1 year old', await decrypt(runtimeA, { timestamp: now - 31_536_000 }), 'AuthFailure.SignatureExpire')
      expect((await decrypt(runtimeA, { timestamp: now - 290 })).code).toBe('OK')
      expect((await decrypt(runtimeA, { timestamp: now + 290 })).code).toBe('OK')
      refused('service cvm', await decrypt(runtimeA, { service: 'cvm' }), 'AuthFailure.SignatureFailure')
      refused('service sts', await decrypt(runtimeA, { service: 'sts' }), 'AuthFailure.SignatureFailure')
      refused('unknown SecretId', await decrypt(newIdentity('Nobody')), 'AuthFailure.SecretIdNotFound')
      refused('wrong SecretKey', await decrypt({ ...runtimeA, secretKey: 'x' }), 'AuthFailure.SignatureFailure')
      // Region is not part of the TC3 scope; local-kms serves one region and ignores the header.
      expect((await decrypt(runtimeA, { region: 'ap-beijing' })).code).toBe('OK')
    })
  })
})

describe('permissions and X-TC-Token', () => {
  it('an identity without permission on the key or the action, and every token misuse, is refused', async () => {
    await underAttack('permissions', async () => {
      const U = 'AuthFailure.UnauthorizedOperation'
      refused('Decrypt-only on B opens a blob of A', await decrypt(runtimeB), U)
      const encrypt = { action: 'Encrypt', params: { KeyId: keyA, Plaintext: plainA } }
      refused('Decrypt-only identity encrypts', await rawCall(port, { ...encrypt, who: runtimeA }), U)
      refused(
        'Decrypt-only identity makes data keys',
        await rawCall(port, { action: 'GenerateDataKey', params: { KeyId: keyA, KeySpec: 'AES_256' }, who: runtimeA }),
        U,
      )
      refused(
        'Decrypt-only identity creates keys',
        await rawCall(port, { action: 'CreateKey', params: { Alias: 'x' }, who: runtimeA }),
        U,
      )
      refused(
        'token identity, key it may not use',
        await rawCall(port, { action: 'Decrypt', params: { CiphertextBlob: blobB }, who: sts, token: sts.token }),
        U,
      )
      const T = 'AuthFailure.TokenFailure'
      expect((await decrypt(sts, { token: sts.token })).code).toBe('OK')
      refused('token missing', await decrypt(sts), T)
      refused('token wrong', await decrypt(sts, { token: `${sts.token}x` }), T)
      refused('token prefix', await decrypt(sts, { token: sts.token.slice(0, 10) }), T)
      refused('token of another identity', await decrypt(runtimeA, { token: sts.token }), T)
      refused('token duplicated', await decrypt(sts, { token: sts.token, extraLines: ['X-TC-Token: other'] }), T)
    })
  })
})

const header = (lines: string[], body = '') =>
  `POST / HTTP/1.1\r\nHost: kms.tencentcloudapi.com\r\nContent-Type: application/json\r\n${lines.join('\r\n')}\r\n\r\n${body}`

describe('bodies and headers', () => {
  it('oversized bodies are refused without being buffered; the server stays up', async () => {
    await underAttack('oversized bodies', async () => {
      const big = { CiphertextBlob: 'A'.repeat(64 * 1024) }
      refused(
        '64 KiB + 1',
        await rawCall(port, { action: 'Decrypt', params: big, who: runtimeA }),
        'RequestSizeLimitExceeded',
      )
      const fiveMiB = header(['Content-Length: 5242880'], 'x'.repeat(5 * 1024 * 1024))
      const flood = await Promise.allSettled(Array.from({ length: 8 }, () => sendRaw(port, fiveMiB)))
      for (const r of flood) {
        // Answered, or the connection closed once 1 MiB past the limit was read (never buffered whole).
        if (r.status === 'fulfilled' && r.value.status !== 0) expect(r.value.code).toBe('RequestSizeLimitExceeded')
      }
      refused(
        'declares 10 GiB',
        await sendRaw(port, header(['Content-Length: 10737418240'], '{}')),
        'RequestSizeLimitExceeded',
      )
      figures.add('oversizedBodiesSent', 10)
    })
  })

  it('malformed JSON bodies (correctly signed) → InvalidParameter / MissingParameter', async () => {
    await underAttack('malformed JSON', async () => {
      const bodies = ['{"CiphertextBlob":', 'null', '[]', '"x"', '{}', '{"CiphertextBlob":1}', '{"a":1}', '\u0000']
      for (const rawBody of bodies) {
        const res = await rawCall(port, { action: 'Decrypt', params: {}, rawBody, who: runtimeA })
        expect(['InvalidParameter', 'MissingParameter', 'UnknownParameter'], rawBody).toContain(res.code)
        figures.count('refusedByCode', res.code)
      }
    })
  })

  it('header injection: duplicates, CR/LF, NUL, folding, smuggling shapes, header floods', async () => {
    await underAttack('header injection', async () => {
      const auth = signedRequest(port, { action: 'Decrypt', params: { CiphertextBlob: blobA }, who: runtimeA })
      const text = auth.toString('latin1')
      const authLine = /Authorization: [^\r]*/.exec(text)![0]
      const withLines = (extra: string[]) =>
        Buffer.from(text.replace('Connection: close', [...extra, 'Connection: close'].join('\r\n')), 'latin1')
      const outcomes: Record<string, string> = {}
      const send = async (name: string, bytes: Buffer | string) => {
        const res = await sendRaw(port, bytes)
        outcomes[name] = res.code
        if (res.code !== 'OK') figures.count('refusedByCode', res.code)
        return res
      }
      // node keeps the FIRST Authorization header and drops later ones (documented node behaviour).
      expect(
        (await send('duplicate Authorization, valid first', withLines(['Authorization: TC3-HMAC-SHA256 garbage'])))
          .code,
      ).toBe('OK')
      const garbageFirst = Buffer.from(
        text.replace(authLine, `Authorization: TC3-HMAC-SHA256 garbage\r\n${authLine}`),
        'latin1',
      )
      expect((await send('duplicate Authorization, garbage first', garbageFirst)).code).toBe(
        'AuthFailure.InvalidAuthorization',
      )
      expect((await send('duplicate X-TC-Action (Decrypt, Encrypt)', withLines(['X-TC-Action: Encrypt']))).code).toBe(
        'InvalidAction',
      )
      expect((await send('duplicate X-TC-Timestamp', withLines(['X-TC-Timestamp: 1']))).code).toBe(
        'AuthFailure.InvalidAuthorization',
      )
      expect((await send('duplicate X-TC-Version', withLines(['X-TC-Version: 2017-03-12']))).code).toBe('NoSuchVersion')
      for (const [name, lines] of [
        ['bare LF inside a header value', ['X-TC-Region: ap-guangzhou\nX-TC-Action: Encrypt']],
        ['bare CR inside a header value', ['X-TC-Region: ap-guangzhou\rX-TC-Action: Encrypt']],
        ['NUL inside a header value', ['X-TC-Region: ap\u0000guangzhou']],
        ['obs-fold continuation line', ['X-TC-Region: ap', ' -guangzhou']],
        ['Content-Length twice, different', ['Content-Length: 3']],
        ['Transfer-Encoding with Content-Length', ['Transfer-Encoding: chunked']],
        ['header name with a space', ['X-TC Action: Encrypt']],
      ] as const) {
        const res = await send(name, withLines([...lines]))
        expect(res.status, name).toBe(400)
      }
      const flood = header(
        [...Array.from({ length: 2000 }, (_, i) => `X-Flood-${i}: ${'v'.repeat(16)}`), 'Content-Length: 2'],
        '{}',
      )
      expect((await send('2000 headers (> 16 KiB)', flood)).status).toBe(431)
      figures.set('headerInjectionOutcomes', outcomes as never)
    })
  })
})

/** Opens `n` sockets that misbehave; resolves with each socket's lifetime (ms) once the server has closed them all. */
function misbehave(n: number, start: (s: Socket) => NodeJS.Timeout | undefined): Promise<number[]> {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<number>((resolve) => {
          const opened = Date.now()
          const socket = connect({ host: '127.0.0.1', port })
          let timer: NodeJS.Timeout | undefined
          socket.on('connect', () => {
            timer = start(socket)
          })
          socket.on('error', () => undefined)
          socket.on('data', () => undefined)
          socket.on('close', () => {
            clearInterval(timer)
            resolve(Date.now() - opened)
          })
          // Safety net: the test fails (by its lifetime) instead of hanging.
          setTimeout(() => socket.destroy(), 15_000).unref()
        }),
    ),
  )
}

describe('slow and idle clients', () => {
  const bound = headersTimeoutMs + 1000 + 2500
  it(`slowloris: 40 sockets sending headers one byte per 100 ms are closed within ~${bound} ms; others are served`, async () => {
    const request = 'POST / HTTP/1.1\r\nHost: kms.tencentcloudapi.com\r\nX-Slow: '
    await underAttack('slowloris headers', async () => {
      const lifetimes = await misbehave(40, (s) => {
        let i = 0
        return setInterval(() => s.writable && s.write(i < request.length ? request[i++]! : 'a'), 100)
      })
      expect(Math.max(...lifetimes)).toBeLessThan(bound)
      figures.set('slowlorisSocketsClosedMaxMs', Math.max(...lifetimes))
    })
  })

  it(`slow body: 20 sockets with complete headers and a body trickling one byte per 200 ms are closed`, async () => {
    const head =
      'POST / HTTP/1.1\r\nHost: kms.tencentcloudapi.com\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n'
    await underAttack('slow body', async () => {
      const lifetimes = await misbehave(20, (s) => {
        s.write(head)
        return setInterval(() => s.writable && s.write(' '), 200)
      })
      expect(Math.max(...lifetimes)).toBeLessThan(requestTimeoutMs + 1000 + 2500)
      figures.set('slowBodySocketsClosedMaxMs', Math.max(...lifetimes))
    })
  })

  it('100 idle sockets that never send a byte are closed, and do not block others', async () => {
    await underAttack('idle sockets', async () => {
      const lifetimes = await misbehave(100, () => undefined)
      expect(Math.max(...lifetimes)).toBeLessThan(15_000)
      figures.set('idleSocketsClosedMaxMs', Math.max(...lifetimes))
    })
  })
})

describe('load', () => {
  const clients = 32
  const perClient = scaled(25)
  it(`${clients} concurrent SDK clients × ${perClient} Decrypts: zero failed valid requests`, async () => {
    const sdks = Array.from({ length: clients }, () => sdkClient(kms.endpoint, runtimeA))
    const latencies: number[] = []
    const failures: string[] = []
    const started = Date.now()
    await Promise.all(
      sdks.map(async (sdk) => {
        for (let i = 0; i < perClient; i++) {
          const t = performance.now()
          try {
            const res = (await sdk.request('Decrypt', { CiphertextBlob: blobA })) as { Plaintext?: string }
            if (res.Plaintext !== plainA) failures.push('wrong plaintext')
          } catch (e) {
            failures.push((e as { code?: string }).code ?? 'network')
          }
          latencies.push(performance.now() - t)
        }
      }),
    )
    const seconds = (Date.now() - started) / 1000
    for (const sdk of sdks) sdk.close()
    expect(failures).toEqual([])
    latencies.sort((a, b) => a - b)
    const pct = (p: number) => Math.round(latencies[Math.floor((latencies.length - 1) * p)]!)
    figures.set('loadRequests', latencies.length)
    figures.set('loadFailed', failures.length)
    figures.set('loadRequestsPerSecond', Math.round(latencies.length / seconds))
    figures.set('loadLatencyMs_p50_p99_max', [pct(0.5), pct(0.99), pct(1)])
  })
})
