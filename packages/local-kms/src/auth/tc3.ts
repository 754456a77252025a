import { createHash, createHmac } from 'node:crypto'

/**
 * TC3-HMAC-SHA256 as documented at https://cloud.tencent.com/document/api/213/30654 — an implementation of our own,
 * independent from the Tencent SDK's `Sign.sign3`, so the emulator checks clients instead of mirroring them.
 */
export const tc3Algorithm = 'TC3-HMAC-SHA256'

/** The parsed `Authorization` header. */
export interface Tc3Authorization {
  secretId: string
  date: string
  service: string
  signedHeaders: string[]
  signature: string
}

export interface Tc3CanonicalInput {
  method: string
  /** Raw query string without `?` (empty for POST). */
  query: string
  /** Lower-case header name → value, as received. */
  headers: Record<string, string | undefined>
  signedHeaders: string[]
  body: Uint8Array
}

export interface Tc3SignInput extends Tc3CanonicalInput {
  secretKey: string
  timestamp: string
  date: string
  service: string
}

// The service label may hold ':' and digits (the SDK signs `localhost:4599` for endpoint `localhost:4599`).
const authorizationRE =
  /^TC3-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{4}-\d{2}-\d{2})\/([^/\s,]+)\/tc3_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/
const headerNameRE = /^[a-z0-9-]+$/

/** Parses the header; `undefined` when it is not a well-formed TC3 Authorization. */
export function parseTc3Authorization(header: string | undefined): Tc3Authorization | undefined {
  if (header === undefined || header.length > 2048) return undefined
  const m = authorizationRE.exec(header.trim())
  if (!m) return undefined
  const signedHeaders = m[4]!.split(';')
  if (signedHeaders.some((h) => !headerNameRE.test(h))) return undefined
  return { secretId: m[1]!, date: m[2]!, service: m[3]!, signedHeaders, signature: m[5]! }
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

function hmac(key: string | Buffer, msg: string): Buffer {
  return createHmac('sha256', key).update(msg, 'utf8').digest()
}

/**
 * The canonical value of a signed header: trimmed and lower-cased. `host` loses its `:port` because the SDK signs
 * `URL.hostname` but sends `URL.host` (reference §5, "Host quirk").
 */
export function canonicalHeaderValue(name: string, value: string | undefined): string {
  const v = (value ?? '').trim().toLowerCase()
  if (name !== 'host') return v
  if (v.startsWith('[')) return v.slice(0, v.indexOf(']') + 1)
  const colon = v.indexOf(':')
  return colon === -1 ? v : v.slice(0, colon)
}

export function buildCanonicalRequest(input: Tc3CanonicalInput): string {
  const names = input.signedHeaders
  const canonicalHeaders = names.map((n) => `${n}:${canonicalHeaderValue(n, input.headers[n])}\n`).join('')
  return [input.method.toUpperCase(), '/', input.query, canonicalHeaders, names.join(';'), sha256Hex(input.body)].join(
    '\n',
  )
}

export function buildStringToSign(timestamp: string, date: string, service: string, canonicalRequest: string): string {
  return [tc3Algorithm, timestamp, `${date}/${service}/tc3_request`, sha256Hex(canonicalRequest)].join('\n')
}

/** Lower-case hex signature for the given request and credential scope. */
export function computeTc3Signature(input: Tc3SignInput): string {
  const stringToSign = buildStringToSign(input.timestamp, input.date, input.service, buildCanonicalRequest(input))
  const kDate = hmac(`TC3${input.secretKey}`, input.date)
  const kService = hmac(kDate, input.service)
  const kSigning = hmac(kService, 'tc3_request')
  return createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex')
}

/** UTC `YYYY-MM-DD` of a Unix timestamp in seconds (local-time dates break signing, reference §4). */
export function utcDateOf(timestampSeconds: number): string {
  return new Date(timestampSeconds * 1000).toISOString().slice(0, 10)
}
