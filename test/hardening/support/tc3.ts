import { createHash, createHmac } from 'node:crypto'
import { connect } from 'node:net'
import type { Identity } from './kms.js'

/**
 * A third, independent TC3-HMAC-SHA256 signer (https://cloud.tencent.com/document/api/213/30654) and a raw HTTP/1.1
 * client on a bare socket, so attacks control every byte: header order, duplicates, CR/LF, timing.
 */
const sha256 = (d: string | Buffer): string => createHash('sha256').update(d).digest('hex')
const hmac = (k: string | Buffer, m: string): Buffer => createHmac('sha256', k).update(m).digest()

export interface SignInput {
  who: Identity
  body: string
  timestamp: number
  /** Host the signature covers (port stripped, as the SDK does). Default kms.tencentcloudapi.com. */
  host?: string
  service?: string
  contentType?: string
}

export function tc3Authorization(o: SignInput): string {
  const service = o.service ?? 'kms'
  const host = o.host ?? 'kms.tencentcloudapi.com'
  const contentType = o.contentType ?? 'application/json'
  const date = new Date(o.timestamp * 1000).toISOString().slice(0, 10)
  const canonical = [
    'POST',
    '/',
    '',
    `content-type:${contentType}\nhost:${host}\n`,
    'content-type;host',
    sha256(o.body),
  ]
  const toSign = [
    'TC3-HMAC-SHA256',
    String(o.timestamp),
    `${date}/${service}/tc3_request`,
    sha256(canonical.join('\n')),
  ]
  const key = hmac(hmac(hmac(`TC3${o.who.secretKey}`, date), service), 'tc3_request')
  const signature = createHmac('sha256', key).update(toSign.join('\n')).digest('hex')
  return `TC3-HMAC-SHA256 Credential=${o.who.secretId}/${date}/${service}/tc3_request, SignedHeaders=content-type;host, Signature=${signature}`
}

export interface RawCall {
  action: string
  params: Record<string, unknown>
  who: Identity
  /** Default: now. */
  timestamp?: number
  service?: string
  token?: string
  region?: string
  /** Extra header lines appended verbatim (may hold duplicates, CR, LF…). */
  extraLines?: string[]
  /** Body bytes sent (and signed) verbatim instead of JSON of `params`. */
  rawBody?: string
}

/** The exact bytes of a signed Tencent API 3.0 request (so it can be replayed byte for byte). */
export function signedRequest(port: number, c: RawCall): Buffer {
  const body = c.rawBody ?? JSON.stringify(c.params)
  const timestamp = c.timestamp ?? Math.floor(Date.now() / 1000)
  const auth = tc3Authorization({ who: c.who, body, timestamp, service: c.service })
  const lines = [
    'POST / HTTP/1.1',
    `Host: kms.tencentcloudapi.com:${port}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-TC-Action: ${c.action}`,
    'X-TC-Version: 2019-01-18',
    `X-TC-Timestamp: ${timestamp}`,
    `X-TC-Region: ${c.region ?? 'ap-guangzhou'}`,
    `Authorization: ${auth}`,
    ...(c.token === undefined ? [] : [`X-TC-Token: ${c.token}`]),
    ...(c.extraLines ?? []),
    'Connection: close',
  ]
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(body)])
}

export interface RawResponse {
  status: number
  text: string
  json: { Response?: { Error?: { Code: string; Message: string }; RequestId?: string } & Record<string, unknown> }
  /** Tencent error code, or 'OK'. */
  code: string
}

/** Sends raw bytes on a fresh socket and reads until the server closes it (bounded by `timeoutMs`). */
export function sendRaw(port: number, bytes: Buffer | string, timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    const chunks: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error('raw request timed out'))
    }, timeoutMs)
    socket.on('data', (d: Buffer) => chunks.push(d))
    socket.on('error', () => undefined)
    socket.on('close', () => {
      clearTimeout(timer)
      const text = Buffer.concat(chunks).toString('utf8')
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)
      const bodyText = text.slice(text.indexOf('\r\n\r\n') + 4)
      let json: RawResponse['json'] = {}
      try {
        json = JSON.parse(bodyText)
      } catch {
        // not JSON (e.g. node's own 400 for a malformed request)
      }
      resolve({ status, text, json, code: json.Response?.Error?.Code ?? (json.Response ? 'OK' : `HTTP ${status}`) })
    })
    socket.write(bytes)
  })
}

export const rawCall = (port: number, c: RawCall): Promise<RawResponse> => sendRaw(port, signedRequest(port, c))
