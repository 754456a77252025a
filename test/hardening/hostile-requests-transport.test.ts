import { connect, type Socket } from 'node:net'
import { createSdkClient } from '@kms-secrets/testkit/sdk'
import { describe, expect, it } from 'vitest'
import { scaled } from './support/figures.js'
import { headersTimeoutMs, requestTimeoutMs, useHostileKms } from './support/hostile-kms.js'
import { rawCall, sendRaw, signedRequest } from './support/tc3.js'

/**
 * Attacks on local-kms's HTTP handling (bodies, headers, slow and idle clients) and a load run; a legitimate client
 * decrypts in parallel with each attack.
 */
const h = useHostileKms('hostile-requests-transport')
const { figures, runtimeA, plainA, underAttack, refused } = h

const header = (lines: string[], body = '') =>
  `POST / HTTP/1.1\r\nHost: kms.tencentcloudapi.com\r\nContent-Type: application/json\r\n${lines.join('\r\n')}\r\n\r\n${body}`

describe('bodies and headers', () => {
  it('oversized bodies are refused without being buffered; the server stays up', async () => {
    await underAttack('oversized bodies', async () => {
      const big = { CiphertextBlob: 'A'.repeat(64 * 1024) }
      refused(
        '64 KiB + 1',
        await rawCall(h.port, { action: 'Decrypt', params: big, who: runtimeA }),
        'RequestSizeLimitExceeded',
      )
      const fiveMiB = header(['Content-Length: 5242880'], 'x'.repeat(5 * 1024 * 1024))
      const flood = await Promise.allSettled(Array.from({ length: 8 }, () => sendRaw(h.port, fiveMiB)))
      for (const r of flood) {
        // Answered, or the connection closed once 1 MiB past the limit was read (never buffered whole).
        if (r.status === 'fulfilled' && r.value.status !== 0) expect(r.value.code).toBe('RequestSizeLimitExceeded')
      }
      refused(
        'declares 10 GiB',
        await sendRaw(h.port, header(['Content-Length: 10737418240'], '{}')),
        'RequestSizeLimitExceeded',
      )
      figures.add('oversizedBodiesSent', 10)
    })
  })

  it('malformed JSON bodies (correctly signed) → InvalidParameter / MissingParameter', async () => {
    await underAttack('malformed JSON', async () => {
      const bodies = ['{"CiphertextBlob":', 'null', '[]', '"x"', '{}', '{"CiphertextBlob":1}', '{"a":1}', '\u0000']
      for (const rawBody of bodies) {
        const res = await rawCall(h.port, { action: 'Decrypt', params: {}, rawBody, who: runtimeA })
        expect(['InvalidParameter', 'MissingParameter', 'UnknownParameter'], rawBody).toContain(res.code)
        figures.count('refusedByCode', res.code)
      }
    })
  })

  it('header injection: duplicates, CR/LF, NUL, folding, smuggling shapes, header floods', async () => {
    await underAttack('header injection', async () => {
      const auth = signedRequest(h.port, { action: 'Decrypt', params: { CiphertextBlob: h.blobA }, who: runtimeA })
      const text = auth.toString('latin1')
      const authLine = /Authorization: [^\r]*/.exec(text)![0]
      const withLines = (extra: string[]) =>
        Buffer.from(text.replace('Connection: close', [...extra, 'Connection: close'].join('\r\n')), 'latin1')
      const outcomes: Record<string, string> = {}
      const send = async (name: string, bytes: Buffer | string) => {
        const res = await sendRaw(h.port, bytes)
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
          const socket = connect({ host: '127.0.0.1', port: h.port })
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
    const sdks = Array.from({ length: clients }, () => createSdkClient(h.kms.endpoint, runtimeA))
    const latencies: number[] = []
    const failures: string[] = []
    const started = Date.now()
    await Promise.all(
      sdks.map(async (sdk) => {
        for (let i = 0; i < perClient; i++) {
          const t = performance.now()
          try {
            const res = (await sdk.request('Decrypt', { CiphertextBlob: h.blobA })) as { Plaintext?: string }
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
