import { request } from 'node:http'
import { sdkSign } from '@kms-secrets/testkit/sdk'
import type { Json } from './sdk.js'
import { admin } from './server.js'

export interface RawOptions {
  action?: string
  version?: string | undefined
  body?: string | Buffer
  secretId?: string
  secretKey?: string
  /** Unix seconds used in X-TC-Timestamp and the scope (default now). */
  timestamp?: number
  /** Overrides the scope date (default: UTC date of timestamp). */
  date?: string
  service?: string
  host?: string
  contentType?: string
  token?: string
  method?: string
  path?: string
  /** Replaces the computed Authorization header (undefined → omit it when `noAuth`). */
  authorization?: string
  noAuth?: boolean
  headers?: Record<string, string>
}

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  json: Json
}

/** The TC3 Authorization header, built by the SDK's signer. */
export function signedAuthorization(
  o: Required<Pick<RawOptions, 'secretId' | 'secretKey' | 'service' | 'host' | 'contentType'>> & {
    body: Buffer
    timestamp: number
    date?: string
  },
): string {
  const authorization = sdkSign.sign3({
    method: 'POST',
    url: `http://${o.host}/`,
    payload: o.body,
    timestamp: o.timestamp,
    service: o.service,
    secretId: o.secretId,
    secretKey: o.secretKey,
    multipart: false,
    boundary: '',
    headers: { 'Content-Type': o.contentType },
  })
  // sign3 derives the scope date from the timestamp; an override only rewrites the header (signature then mismatches).
  return o.date ? authorization.replace(/\/\d{4}-\d{2}-\d{2}\//, `/${o.date}/`) : authorization
}

/** A hand-built Tencent API 3.0 request over node:http (full control of Host, headers and body bytes). */
export function rawRequest(port: number, o: RawOptions = {}): Promise<RawResponse> {
  const body = Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body ?? '{}')
  const host = o.host ?? `kms.tencentcloudapi.com:${port}`
  const contentType = o.contentType ?? 'application/json'
  const timestamp = o.timestamp ?? Math.floor(Date.now() / 1000)
  const secretId = o.secretId ?? admin.secretId
  const secretKey = o.secretKey ?? admin.secretKey
  const service = o.service ?? 'kms'
  const authorization =
    o.authorization ??
    signedAuthorization({ secretId, secretKey, service, host, contentType, body, timestamp, date: o.date })
  const headers: Record<string, string> = {
    Host: host,
    'Content-Type': contentType,
    'Content-Length': String(body.length),
    'X-TC-Action': o.action ?? 'GenerateRandom',
    'X-TC-Timestamp': String(timestamp),
    'X-TC-Region': 'ap-guangzhou',
    ...(o.noAuth ? {} : { Authorization: authorization }),
    ...(o.token === undefined ? {} : { 'X-TC-Token': o.token }),
    ...o.headers,
  }
  if (o.version !== undefined || !('version' in o)) headers['X-TC-Version'] = o.version ?? '2019-01-18'
  return send(port, o.method ?? 'POST', o.path ?? '/', headers, body)
}

export function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let json: Json
        try {
          json = JSON.parse(text)
        } catch {
          json = undefined
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** `Response.Error.Code` of a raw response (undefined on success). */
export function errorCode(res: RawResponse): string | undefined {
  return res.json?.Response?.Error?.Code
}
