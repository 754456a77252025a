import type { Socket } from 'node:net'
import { bareHost } from './endpoint.js'

/** A complete HTTP/1.x response: status and body bytes; `framed` when its end is known without the close. */
export interface RawResponse {
  status: number
  body: Buffer
  framed: boolean
}

/** Chunked transfer coding (RFC 9112 §7.1); undefined unless the last-chunk arrived. Trailers are ignored. */
function dechunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = []
  for (let at = 0; ; ) {
    const eol = data.indexOf('\r\n', at)
    const size = eol < 0 ? Number.NaN : Number.parseInt(data.toString('latin1', at, eol), 16)
    if (!(size >= 0)) return undefined
    if (size === 0) return Buffer.concat(parts)
    const start = eol + 2
    if (data.length < start + size + 2) return undefined
    parts.push(data.subarray(start, start + size))
    at = start + size + 2
  }
}

/**
 * Parses the bytes received so far. Undefined when the response is malformed or incomplete: headers incomplete,
 * fewer body bytes than Content-Length, chunked without its last-chunk. Without either, the body runs to the close.
 */
export function parseResponse(raw: Buffer): RawResponse | undefined {
  const end = raw.indexOf('\r\n\r\n')
  // Lower-cased: field names are case-insensitive, and no value read here depends on case.
  const lines = end < 0 ? [] : raw.toString('latin1', 0, end).toLowerCase().split('\r\n')
  const status = Number(/^http\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1])
  if (!status) return undefined
  const body = raw.subarray(end + 4)
  const field = (name: string) => lines.find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1)
  const length = field('content-length')
  if (field('transfer-encoding')?.includes('chunked')) {
    const joined = dechunk(body)
    return joined === undefined ? undefined : { status, body: joined, framed: true }
  }
  if (length !== undefined) {
    const n = Number(length)
    if (!Number.isSafeInteger(n) || body.length < n) return undefined
    return { status, body: body.subarray(0, n), framed: true }
  }
  return { status, body, framed: false }
}

/** The request head; names and values with CR or LF are refused (header injection, e.g. through a session token). */
export function requestHead(url: URL, headers: Record<string, string>, length: number): string {
  const all = { Host: url.host, ...headers, 'Content-Length': String(length), Connection: 'close' }
  let head = `POST ${url.pathname}${url.search} HTTP/1.1\r\n`
  for (const [name, value] of Object.entries(all)) {
    if (/[\r\n]/.test(name + value)) throw new Error('invalid header')
    head += `${name}: ${value}\r\n`
  }
  return `${head}\r\n`
}

/**
 * One POST over a new connection (net, or tls with the usual certificate checks, or a given tunnel socket): done when
 * the answer is complete (Content-Length or chunked), else at the server's close (we send `Connection: close`).
 * node:http's client, agent and parser cost ~3–5 ms of lazy loading and first-call work per cold start, for one
 * request per process. Rejects on a socket error, an abort, or an answer cut short; the received bytes are zeroed
 * once decoded (the answer holds the data key, base64).
 */
export function rawPost(url: URL, head: string, body: Uint8Array, signal?: AbortSignal, tunnel?: Socket) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const socket: Socket = tunnel ?? connectTo(url)
    const chunks: Buffer[] = []
    let over = false
    const fail = (e: Error) => {
      over = true
      socket.destroy()
      reject(e)
    }
    const onAbort = () => fail(new Error('aborted'))
    const finish = (closed: boolean): void => {
      if (over) return
      const raw = Buffer.concat(chunks)
      const res = parseResponse(raw)
      const done = closed || res?.framed === true
      const text = done ? res?.body.toString('utf8') : undefined
      for (const b of [raw, res?.body]) b?.fill(0)
      if (!done) return
      for (const c of chunks) c.fill(0)
      signal?.removeEventListener('abort', onAbort)
      if (res === undefined || text === undefined) fail(new Error('closed early'))
      else {
        over = true
        socket.destroy()
        resolve({ status: res.status, text })
      }
    }
    if (signal?.aborted) return onAbort()
    signal?.addEventListener('abort', onAbort, { once: true })
    socket.on('data', (c: Buffer) => {
      chunks.push(c)
      finish(false)
    })
    socket.on('error', fail)
    socket.on('close', () => finish(true))
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]))
  })
}

/** `host` of a URL for net/tls (IPv6 without brackets) and the TLS options that check its certificate. */
export function tlsTarget(url: URL): { host: string; servername?: string } {
  const host = bareHost(url.hostname)
  // SNI carries names only (RFC 6066); the certificate is still checked against `host`, name or IP.
  return process.getBuiltinModule('node:net').isIP(host) ? { host } : { host, servername: host }
}

function connectTo(url: URL): Socket {
  const tls = url.protocol === 'https:'
  // net ignores `servername`; tls gets it for names only (tlsTarget).
  const { connect } = process.getBuiltinModule(tls ? 'node:tls' : 'node:net') as typeof import('node:net')
  return connect({ ...tlsTarget(url), port: Number(url.port || (tls ? 443 : 80)) })
}
