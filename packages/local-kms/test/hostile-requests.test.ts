import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorCode, rawRequest, send } from './helpers/raw.js'
import { b64, createKey, createSdkClient, type SdkClient } from './helpers/sdk.js'
import { startTestKms, type TestKms } from './helpers/server.js'

let server: TestKms
let sdk: SdkClient

beforeAll(async () => {
  server = await startTestKms({ headersTimeoutMs: 500, requestTimeoutMs: 1000 })
  sdk = createSdkClient(server.port)
})
afterAll(async () => {
  sdk.close()
  await server.stop()
})

/** Resolves with everything the server sent once it closes the connection. */
function collectUntilClose(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = ''
    socket.on('data', (d) => {
      text += d.toString('utf8')
    })
    socket.on('error', () => undefined)
    socket.on('close', () => resolve(text))
  })
}

describe('hostile requests', () => {
  it('bounds the body: 100 KiB → RequestSizeLimitExceeded', async () => {
    const body = JSON.stringify({ NumberOfBytes: 1, Pad: 'x'.repeat(100 * 1024) })
    const res = await rawRequest(server.port, { body })
    expect(errorCode(res)).toBe('RequestSizeLimitExceeded')
  })

  it('answers or closes, but never buffers, a multi-megabyte body', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024, 0x20)
    const res = await rawRequest(server.port, { body }).catch((error: NodeJS.ErrnoException) => String(error.code))
    if (typeof res === 'string') expect(['ECONNRESET', 'EPIPE']).toContain(res)
    else expect(errorCode(res)).toBe('RequestSizeLimitExceeded')
    expect(errorCode(await rawRequest(server.port, { body: '{"NumberOfBytes":4}' }))).toBeUndefined()
  })

  it.each([
    ['malformed JSON', { body: '{"NumberOfBytes": 4' }, 'InvalidParameter'],
    ['a JSON array body', { body: '[1,2]' }, 'InvalidParameter'],
    ['a JSON string body', { body: '"x"' }, 'InvalidParameter'],
    ['deeply nested JSON', { body: `${'['.repeat(30000)}${']'.repeat(30000)}` }, 'InvalidParameter'],
    ['__proto__ as a parameter', { body: '{"NumberOfBytes":4,"__proto__":{"x":1}}' }, 'UnknownParameter'],
    ['constructor as a parameter', { body: '{"NumberOfBytes":4,"constructor":1}' }, 'UnknownParameter'],
    ['a wrong Content-Type', { body: '{"NumberOfBytes":4}', contentType: 'text/plain' }, 'InvalidRequest'],
    ['form encoding', { body: 'NumberOfBytes=4', contentType: 'application/x-www-form-urlencoded' }, 'InvalidRequest'],
    ['an unknown action', { action: 'DeleteEverything' }, 'InvalidAction'],
    ['an action of another product', { action: 'DescribeInstances' }, 'InvalidAction'],
    ['Object prototype names as action', { action: 'hasOwnProperty' }, 'InvalidAction'],
    ['an empty action', { action: '' }, 'MissingParameter'],
    ['a wrong version', { version: '2017-03-12' }, 'NoSuchVersion'],
    ['no version', { version: undefined }, 'MissingParameter'],
    ['GET', { method: 'GET' }, 'UnsupportedProtocol'],
    ['another path', { path: '/admin' }, 'UnsupportedProtocol'],
  ])('rejects %s', async (_name, options, code) => {
    const res = await rawRequest(server.port, { body: '{"NumberOfBytes":4}', ...options })
    expect(res.status).toBe(200)
    expect(errorCode(res)).toBe(code)
  })

  it('accepts application/json with a charset when that is what was signed', async () => {
    const res = await rawRequest(server.port, {
      body: '{"NumberOfBytes":4}',
      contentType: 'application/json; charset=utf-8',
    })
    expect(errorCode(res)).toBeUndefined()
  })

  it('does not let repeated X-TC-Timestamp headers through', async () => {
    const res = await rawRequest(server.port, {
      body: '{"NumberOfBytes":4}',
      headers: { 'X-TC-Timestamp': [`${Math.floor(Date.now() / 1000)}`, '1'] as unknown as string },
    })
    expect(errorCode(res)).toBe('AuthFailure.InvalidAuthorization')
  })

  it('echoes a well-formed X-TC-TraceId and drops a malformed one', async () => {
    const ok = await rawRequest(server.port, { headers: { 'X-TC-TraceId': '0b6c9f2e-5d1a-4c3b-9a8e-1f2d3c4b5a69' } })
    expect(ok.headers['x-tc-traceid']).toBe('0b6c9f2e-5d1a-4c3b-9a8e-1f2d3c4b5a69')
    const bad = await rawRequest(server.port, { headers: { 'X-TC-TraceId': 'a b; Set-Cookie=x' } })
    expect(bad.headers['x-tc-traceid']).toBeUndefined()
  })

  it('answers a header with a bare CR (injection attempt) with 400 and stays up', async () => {
    const socket = connect(server.port, '127.0.0.1')
    const done = collectUntilClose(socket)
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nX-TC-Action: Encrypt\rInjected: 1\r\nContent-Length: 0\r\n\r\n')
    expect(await done).toMatch(/^HTTP\/1\.1 400/)
  })

  it('closes a slowloris connection that never finishes its headers', async () => {
    const socket = connect(server.port, '127.0.0.1')
    const done = collectUntilClose(socket)
    socket.write('POST / HTTP/1.1\r\nHost: x\r\n')
    const drip = setInterval(() => socket.writable && socket.write('X-A: b\r\n'), 100)
    const served = await sdk.call('GenerateRandom', { NumberOfBytes: 4 })
    expect(served.Plaintext).toBeTruthy()
    await done
    clearInterval(drip)
    expect(socket.destroyed).toBe(true)
  })

  it('closes a connection whose body never arrives', async () => {
    const socket = connect(server.port, '127.0.0.1')
    const done = collectUntilClose(socket)
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a"')
    const text = await done
    expect(text === '' || /^HTTP\/1\.1 408/.test(text)).toBe(true)
  })

  it('serves concurrent valid Decrypts with zero failures while under attack', async () => {
    const { keyId } = await createKey(sdk, 'load')
    const blob = (await sdk.call('Encrypt', { KeyId: keyId, Plaintext: b64('payload') })).CiphertextBlob
    const clients = Array.from({ length: 10 }, () => createSdkClient(server.port))
    const hostile = Array.from({ length: 40 }, (_, i) =>
      i % 2
        ? rawRequest(server.port, { secretKey: 'wrong' })
        : send(server.port, 'POST', '/', { 'Content-Type': 'application/json' }, Buffer.from('{')),
    )
    try {
      const results = await Promise.allSettled(
        clients.flatMap((c) => Array.from({ length: 20 }, () => c.call('Decrypt', { CiphertextBlob: blob }))),
      )
      await Promise.allSettled(hostile)
      const failed = results.filter((r) => r.status === 'rejected' || r.value.Plaintext !== b64('payload'))
      expect(results).toHaveLength(200)
      expect(failed).toHaveLength(0)
    } finally {
      for (const c of clients) c.close()
    }
  })
})
