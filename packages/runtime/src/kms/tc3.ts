/**
 * TC3-HMAC-SHA256 request signing (https://cloud.tencent.com/document/api/573/34416), byte-identical to the Tencent
 * Node SDK's `Sign.sign3` for a JSON POST (proved by test/tc3.test.ts against the SDK itself). node:crypto's
 * synchronous HMAC where the host has it (Node, Bun, Deno: the first WebCrypto HMAC of a process costs milliseconds),
 * WebCrypto elsewhere (workerd; in the web build only, opener/node-crypto.ts).
 */
import { type NodeCrypto, nodeCrypto } from '../opener/node-crypto.js'

// The web build's constant (opener/node-crypto.ts): false in the default build, which leaves the WebCrypto twins out
// (nodeCrypto() throws there rather than answer undefined).
declare const __KMS_SECRETS_WEB__: boolean | undefined
const web = typeof __KMS_SECRETS_WEB__ !== 'boolean' || __KMS_SECRETS_WEB__

export interface Tc3Input {
  secretId: string
  secretKey: string
  /** `service` of the credential scope (`kms`). */
  service: string
  /** Host the signature covers: the URL's hostname, port stripped (the SDK signs `URL.hostname`). */
  host: string
  /** Unix seconds; also gives the scope date (UTC). */
  timestamp: number
  /** The exact body bytes sent. */
  body: Uint8Array
  /** The exact Content-Type sent. */
  contentType: string
}

const encoder = new TextEncoder()

/** Lowercase hex of bytes. */
export function hex(buf: ArrayBuffer | Uint8Array): string {
  let out = ''
  for (const b of new Uint8Array(buf)) out += b.toString(16).padStart(2, '0')
  return out
}

async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const node = nodeCrypto()
  if (web && node === undefined) return webSha256Hex(data)
  return (node as NodeCrypto).createHash('sha256').update(data).digest('hex')
}

async function hmac(key: Uint8Array | ArrayBuffer, msg: string): Promise<ArrayBuffer | Uint8Array> {
  const node = nodeCrypto()
  if (web && node === undefined) return webHmac(key, msg)
  return (node as NodeCrypto).createHmac('sha256', new Uint8Array(key)).update(msg).digest()
}

/** The WebCrypto twins (workerd), in the web build only. */
async function webSha256Hex(data: Uint8Array | string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', typeof data === 'string' ? encoder.encode(data) : data))
}

async function webHmac(key: Uint8Array | ArrayBuffer, msg: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return crypto.subtle.sign('HMAC', k, encoder.encode(msg))
}

/** UTC `YYYY-MM-DD` of Unix seconds (a local-time date breaks signing ~8 h a day in UTC+8). */
export function utcDate(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10)
}

/** The `Authorization` header value: `TC3-HMAC-SHA256 Credential=…, SignedHeaders=content-type;host, Signature=…`. */
export async function signTc3(i: Tc3Input): Promise<string> {
  const date = utcDate(i.timestamp)
  const scope = `${date}/${i.service}/tc3_request`
  // Only content-type and host are signed, values as sent (the SDK does not lower-case them).
  const canonical = `POST\n/\n\ncontent-type:${i.contentType}\nhost:${i.host}\n\ncontent-type;host\n${await sha256Hex(i.body)}`
  const toSign = `TC3-HMAC-SHA256\n${i.timestamp}\n${scope}\n${await sha256Hex(canonical)}`
  // kDate, kService, kSigning, then the signature itself.
  let mac: ArrayBuffer | Uint8Array = encoder.encode(`TC3${i.secretKey}`)
  for (const msg of [date, i.service, 'tc3_request', toSign]) mac = await hmac(mac, msg)
  // node:crypto's digest is a Buffer, with its own hex: the default build needs no hex() (mode "project" imports it).
  const signature = web ? hex(mac) : (mac as unknown as { toString(encoding: 'hex'): string }).toString('hex')
  return `TC3-HMAC-SHA256 Credential=${i.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`
}
