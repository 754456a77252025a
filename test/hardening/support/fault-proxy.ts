import { connect, createServer, type Server, type Socket } from 'node:net'

/**
 * What the proxy does with one TCP connection:
 * - `pass`: forwards both ways;
 * - `stall`: accepts, reads the request and never answers (the client must time out);
 * - `reset`: destroys the connection as soon as the request starts arriving;
 * - `cut`: forwards the request, then sends only the first `bytes` of the response and destroys the connection;
 * - `mutate`: forwards the request, lets `body` rewrite the response body (Content-Length fixed up), then closes.
 */
export type ProxyMode =
  | { kind: 'pass' }
  | { kind: 'stall' }
  | { kind: 'reset' }
  | { kind: 'cut'; bytes: (response: Buffer) => number }
  | { kind: 'mutate'; body: (body: Buffer) => Buffer }

export interface FaultProxy {
  endpoint: string
  port: number
  /** Picks the mode of the n-th connection (0-based); may be replaced at any time. */
  setMode(pick: (n: number) => ProxyMode): void
  /** Points new connections at another upstream port (a restarted local-kms). */
  setUpstream(port: number): void
  readonly connections: number
  /** Raw upstream responses seen by `cut`/`mutate` connections, in order (tests read what KMS really sent). */
  readonly responses: Buffer[]
  close(): Promise<void>
}

const headerEnd = Buffer.from('\r\n\r\n')

/** Splits an HTTP response when it is complete (Content-Length known and reached). */
function completeResponse(buf: Buffer): { head: string; body: Buffer } | undefined {
  const at = buf.indexOf(headerEnd)
  if (at < 0) return undefined
  const head = buf.subarray(0, at).toString('latin1')
  const m = /\r\ncontent-length:\s*(\d+)/i.exec(head)
  if (!m) return undefined
  const body = buf.subarray(at + 4)
  return body.length >= Number(m[1]) ? { head, body: body.subarray(0, Number(m[1])) } : undefined
}

function relay(client: Socket, upstreamPort: number, onResponse: (res: Buffer) => void): Socket {
  const upstream = connect({ host: '127.0.0.1', port: upstreamPort })
  let res = Buffer.alloc(0)
  upstream.on('data', (d: Buffer) => {
    res = Buffer.concat([res, d])
    if (completeResponse(res)) {
      upstream.destroy()
      onResponse(res)
    }
  })
  upstream.on('error', () => client.destroy())
  client.on('data', (d: Buffer) => upstream.write(d))
  return upstream
}

/** A TCP proxy on 127.0.0.1 between a KMS client and local-kms that misbehaves on demand. */
export async function startFaultProxy(initialUpstream: number): Promise<FaultProxy> {
  let upstreamPort = initialUpstream
  let pick: (n: number) => ProxyMode = () => ({ kind: 'pass' })
  let connections = 0
  const responses: Buffer[] = []
  const sockets = new Set<Socket>()
  const handle = (client: Socket): void => {
    const mode = pick(connections++)
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => undefined)
    if (mode.kind === 'stall') {
      client.resume()
      return
    }
    if (mode.kind === 'reset') {
      client.once('data', () => client.resetAndDestroy())
      return
    }
    if (mode.kind === 'pass') {
      const upstream = connect({ host: '127.0.0.1', port: upstreamPort })
      upstream.on('error', () => client.destroy())
      client.on('close', () => upstream.destroy())
      client.pipe(upstream).pipe(client)
      return
    }
    const upstream = relay(client, upstreamPort, (res) => {
      responses.push(res)
      if (mode.kind === 'cut') {
        client.write(res.subarray(0, mode.bytes(res)), () => client.destroy())
        return
      }
      const { head, body } = completeResponse(res)!
      const next = mode.body(body)
      const fixed = head.replace(/\r\ncontent-length:\s*\d+/i, `\r\nContent-Length: ${next.length}`)
      client.end(Buffer.concat([Buffer.from(`${fixed}\r\n\r\n`, 'latin1'), next]))
    })
    client.on('close', () => upstream.destroy())
  }
  const server: Server = createServer(handle)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    setMode: (p) => {
      pick = p
    },
    setUpstream: (port) => {
      upstreamPort = port
    },
    get connections() {
      return connections
    },
    responses,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
