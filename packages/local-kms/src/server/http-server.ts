import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { type ApiRequest, type Outcome, processRequest, type ServerState } from './pipeline.js'

/** After the body limit is crossed, read (and discard) at most this much more so the client still gets the answer. */
const drainAllowance = 1024 * 1024
const traceIdRE = /^[A-Za-z0-9._:-]{1,128}$/

interface ReadBody {
  body: Buffer
  tooLarge: boolean
  /** The rest of the body was not read: answer, then close the connection. */
  closeAfter: boolean
  aborted: boolean
}

/** Reads the raw body (the TC3 payload hash needs the exact bytes), bounded by `max`. */
function readBody(req: IncomingMessage, max: number): Promise<ReadBody> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > max + drainAllowance) {
      resolve({ body: Buffer.alloc(0), tooLarge: true, closeAfter: true, aborted: false })
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= max) chunks.push(chunk)
      else if (size > max + drainAllowance) {
        req.pause()
        resolve({ body: Buffer.alloc(0), tooLarge: true, closeAfter: true, aborted: false })
      }
    })
    req.on('end', () => {
      resolve({
        body: size > max ? Buffer.alloc(0) : Buffer.concat(chunks),
        tooLarge: size > max,
        closeAfter: false,
        aborted: false,
      })
    })
    req.on('close', () => resolve({ body: Buffer.alloc(0), tooLarge: false, closeAfter: false, aborted: true }))
    req.on('error', () => resolve({ body: Buffer.alloc(0), tooLarge: false, closeAfter: false, aborted: true }))
  })
}

/** Header names lower-case (node does that), repeated headers joined, arrays flattened. */
function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return headers
}

function writeOutcome(req: IncomingMessage, res: ServerResponse, outcome: Outcome, close: boolean): void {
  if (outcome.kind === 'drop') {
    req.socket.destroy()
    return
  }
  if (outcome.kind === 'stall') return // never answered; the client times out or server close() ends it
  const text = JSON.stringify(outcome.payload)
  const traceId = req.headers['x-tc-traceid']
  res.writeHead(outcome.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    // Echoed only when harmless: never reflect arbitrary bytes into a response header.
    ...(typeof traceId === 'string' && traceIdRE.test(traceId) ? { 'X-TC-TraceId': traceId } : {}),
    ...(close ? { Connection: 'close' } : {}),
  })
  res.end(text)
  if (close) res.on('finish', () => req.socket.destroySoon())
}

async function serve(state: ServerState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const read = await readBody(req, state.options.maxBodyBytes)
  if (read.aborted && !req.complete) return
  if (state.faults.latencyMs > 0) await sleep(state.faults.latencyMs)
  const [path = '', query = ''] = (req.url ?? '').split('?', 2)
  const request: ApiRequest = {
    method: req.method ?? '',
    path,
    query,
    headers: headersOf(req),
    body: read.body,
    tooLarge: read.tooLarge,
  }
  const outcome = await processRequest(state, request)
  if (res.destroyed) return
  writeOutcome(req, res, outcome, read.closeAfter)
}

/** The node:http server: bounded headers/body, slowloris timeouts, one API call per request. */
export function createKmsHttpServer(state: ServerState): Server {
  const { headersTimeoutMs, requestTimeoutMs } = state.options
  const server = createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      maxHeaderSize: 16 * 1024,
      // How often node checks the two timeouts above (default 30 s would make them coarse).
      connectionsCheckingInterval: Math.min(1000, Math.floor(headersTimeoutMs / 2)),
    },
    (req, res) => {
      serve(state, req, res).catch((error: unknown) => {
        if (!state.options.quiet) state.options.log(`local-kms: request failed: ${(error as Error)?.message}`)
        if (!res.headersSent) res.destroy()
      })
    },
  )
  server.keepAliveTimeout = 5000
  return server
}
