import { Buffer } from 'node:buffer'
import { createServer } from 'node:http'
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { parseResponse, rawPost, requestHead } from '../src/kms/raw-http.js'

const bytes = (text: string) => Buffer.from(text, 'latin1')
const ok = '{"Response":{"Plaintext":"AAAA","RequestId":"r"}}'

describe('parseResponse: complete answers only', () => {
  it('Content-Length, chunked (with extensions and trailers), read-to-close (unframed)', () => {
    const cl = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: ${ok.length}\r\n\r\n${ok}`
    expect(parseResponse(bytes(cl))?.body.toString()).toBe(ok)
    const chunked = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\n${ok.slice(0, 5)}\r\n${(ok.length - 5).toString(16)}\r\n${ok.slice(5)}\r\n0\r\nX-Trailer: 1\r\n\r\n`
    expect(parseResponse(bytes(chunked))).toMatchObject({ status: 200, body: Buffer.from(ok) })
    expect(parseResponse(bytes(cl))?.framed).toBe(true)
    expect(parseResponse(bytes(`HTTP/1.0 503 Busy\r\n\r\nbusy`))).toMatchObject({
      status: 503,
      body: Buffer.from('busy'),
      framed: false,
    })
  })

  it('refuses answers cut short or malformed', () => {
    const cl = `HTTP/1.1 200 OK\r\nContent-Length: ${ok.length}\r\n\r\n${ok}`
    for (const n of [0, 5, 20, cl.indexOf('\r\n\r\n') + 2, cl.indexOf('\r\n\r\n') + 4, cl.length - 1]) {
      expect(parseResponse(bytes(cl.slice(0, n)))).toBeUndefined()
    }
    const chunked = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${ok.length.toString(16)}\r\n${ok}\r\n0\r\n\r\n`
    for (const n of [chunked.indexOf('\r\n\r\n') + 4, chunked.length - 7, chunked.length - 5]) {
      expect(parseResponse(bytes(chunked.slice(0, n)))).toBeUndefined()
    }
    for (const bad of ['HTTP/2 200\r\n\r\n', 'garbage\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n']) {
      expect(parseResponse(bytes(bad))).toBeUndefined()
    }
  })
})

describe('requestHead', () => {
  it('Host as node:http writes it (port only when not the default), then Content-Length and Connection: close', () => {
    const head = requestHead(new URL('http://127.0.0.1:4599'), { 'X-TC-Action': 'Decrypt' }, 12)
    expect(head).toBe(
      'POST / HTTP/1.1\r\nHost: 127.0.0.1:4599\r\nX-TC-Action: Decrypt\r\nContent-Length: 12\r\nConnection: close\r\n\r\n',
    )
    expect(requestHead(new URL('https://kms.tencentcloudapi.com'), {}, 0)).toContain(
      'Host: kms.tencentcloudapi.com\r\n',
    )
  })

  it('refuses CR or LF in a header (a session token cannot inject headers)', () => {
    expect(() => requestHead(new URL('http://127.0.0.1'), { 'X-TC-Token': 'a\r\nX-Evil: 1' }, 0)).toThrow()
  })
})

describe('rawPost against node:http', () => {
  it('sends the body and reads a keep-alive-less answer; an abort rejects', async () => {
    const server = createServer((req, res) => {
      const parts: Buffer[] = []
      req.on('data', (c: Buffer) => parts.push(c))
      req.on('end', () => res.end(JSON.stringify({ got: Buffer.concat(parts).toString(), host: req.headers.host })))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
      const body = Buffer.from('{"a":1}')
      const answer = await rawPost(url, requestHead(url, {}, body.length), body)
      expect(answer.status).toBe(200)
      expect(JSON.parse(answer.text)).toEqual({ got: '{"a":1}', host: url.host })
      const ac = new AbortController()
      ac.abort()
      await expect(rawPost(url, requestHead(url, {}, 0), new Uint8Array(), ac.signal)).rejects.toThrow('aborted')
    } finally {
      server.close()
    }
  })
})

describe('rawPost against a server that keeps the connection open', () => {
  it('resolves once a framed answer is complete, and rejects one cut short at the close', async () => {
    const sockets: Socket[] = []
    let answer = `HTTP/1.1 200 OK\r\nContent-Length: ${ok.length}\r\n\r\n${ok}`
    const server = createTcpServer((socket) => {
      sockets.push(socket)
      socket.once('data', () => {
        socket.write(answer)
        if (answer.length < 40) socket.end()
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
      expect(await rawPost(url, requestHead(url, {}, 0), new Uint8Array())).toEqual({ status: 200, text: ok })
      answer = answer.slice(0, 39)
      await expect(rawPost(url, requestHead(url, {}, 0), new Uint8Array())).rejects.toThrow('closed early')
    } finally {
      for (const s of sockets) s.destroy()
      server.close()
    }
  })
})
