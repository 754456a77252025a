import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorCode, rawRequest } from './helpers/raw.js'
import { startTestKms, type TestKms } from './helpers/server.js'

let server: TestKms

beforeAll(async () => {
  server = await startTestKms({ headersTimeoutMs: 500, requestTimeoutMs: 1000 })
})
afterAll(async () => {
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

// Oversized bodies, duplicate headers, bare CR, slowloris, slow bodies and valid clients under attack are attacked in
// test/hardening/hostile-requests-transport.test.ts (against the bin, with figures for SECURITY.md §4).
describe('hostile requests', () => {
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

  it('echoes a well-formed X-TC-TraceId and drops a malformed one', async () => {
    const ok = await rawRequest(server.port, { headers: { 'X-TC-TraceId': '0b6c9f2e-5d1a-4c3b-9a8e-1f2d3c4b5a69' } })
    expect(ok.headers['x-tc-traceid']).toBe('0b6c9f2e-5d1a-4c3b-9a8e-1f2d3c4b5a69')
    const bad = await rawRequest(server.port, { headers: { 'X-TC-TraceId': 'a b; Set-Cookie=x' } })
    expect(bad.headers['x-tc-traceid']).toBeUndefined()
  })

  it('closes a connection whose body never arrives', async () => {
    const socket = connect(server.port, '127.0.0.1')
    const done = collectUntilClose(socket)
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a"')
    const text = await done
    expect(text === '' || /^HTTP\/1\.1 408/.test(text)).toBe(true)
  })
})
