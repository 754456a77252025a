import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface StubRequest {
  action: string
  headers: http.IncomingHttpHeaders
  body: Record<string, unknown>
}

/** What a handler answers: a Response body (success), an API error (HTTP 200 + Response.Error), or raw HTTP. */
export type StubReply =
  | { ok: Record<string, unknown> }
  | { error: string; message?: string }
  | { status: number; text: string; contentType?: string }
  | { hang: true }

export interface TencentStub {
  endpoint: string
  port: number
  requests: StubRequest[]
  close(): Promise<void>
}

/** A tiny HTTP server speaking the Tencent API 3.0 response shape, bound to 127.0.0.1 on a free port. */
export async function startTencentStub(handler: (req: StubRequest) => StubReply): Promise<TencentStub> {
  const requests: StubRequest[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>
      const r: StubRequest = { action: String(req.headers['x-tc-action']), headers: req.headers, body }
      requests.push(r)
      const reply = handler(r)
      if ('hang' in reply) return
      if ('status' in reply) {
        res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'text/plain' }).end(reply.text)
        return
      }
      const response =
        'ok' in reply
          ? { ...reply.ok, RequestId: 'req-ok' }
          : { Error: { Code: reply.error, Message: reply.message ?? 'stub error' }, RequestId: 'req-err' }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Response: response }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
