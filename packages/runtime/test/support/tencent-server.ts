import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { isKmsSecretsError } from '@kms-secrets/core/open'
import { createFakeKms, type FakeKms } from '@kms-secrets/testkit/fake-kms'
import { afterAll, beforeAll } from 'vitest'

/** How the server misbehaves on the next Decrypt calls (consumed in order), beyond the fake KMS's own faults. */
export type HttpFault =
  | 'truncated-plaintext'
  | 'unquoted-plaintext'
  | 'http-502-with-body'
  | 'error-echoing-request'
  | 'drop-connection'

export interface TencentServer {
  endpoint: string
  /** Decrypt requests received, with the headers that matter. */
  readonly requests: { action: string; host: string; service: string; body: Record<string, unknown> }[]
  readonly httpFaults: HttpFault[]
  close(): Promise<void>
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(body)
}

async function decrypt(kms: FakeKms, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const requestId = randomUUID()
  try {
    const r = await kms.decrypt({
      ciphertextBlob: String(body.CiphertextBlob),
      ...(typeof body.EncryptionContext === 'string' ? { encryptionContext: body.EncryptionContext } : {}),
    })
    return { KeyId: r.keyId, Plaintext: Buffer.from(r.plaintext).toString('base64'), RequestId: requestId }
  } catch (e) {
    const code = isKmsSecretsError(e) ? (e.kmsCode ?? 'InternalError') : 'InternalError'
    return { Error: { Code: code, Message: 'The request failed.' }, RequestId: requestId }
  }
}

/**
 * A tiny server answering KMS Decrypt in Tencent API 3.0 shape (HTTP 200, {"Response": …}), backed by a fake KMS.
 * Signatures are not checked (local-kms does that); it records the Host header and the signing service so tests
 * can see production-identical signing. With `tls` (a test key and certificate) it speaks HTTPS.
 */
export async function startTencentServer(kms: FakeKms, tls?: { key: string; cert: string }): Promise<TencentServer> {
  const requests: TencentServer['requests'] = []
  const httpFaults: HttpFault[] = []
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const text = await readBody(req)
    const body = JSON.parse(text) as Record<string, unknown>
    const action = String(req.headers['x-tc-action'])
    const service = /Credential=[^/]+\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization))?.[1] ?? ''
    requests.push({ action, host: String(req.headers.host), service, body })
    const fault = action === 'Decrypt' ? httpFaults.shift() : undefined
    const response = action === 'Decrypt' ? await decrypt(kms, body) : { Error: { Code: 'InvalidAction' } }
    const json = JSON.stringify({ Response: response })
    if (fault === 'drop-connection') return void req.socket.destroy()
    if (fault === 'truncated-plaintext') return send(res, 200, json.slice(0, json.indexOf('"Plaintext"') + 30))
    // A malformed body whose parse error message would quote the bytes right after "Plaintext": (V8 snippets).
    if (fault === 'unquoted-plaintext') return send(res, 200, json.replace(/"Plaintext":"([^"]*)"/, '"Plaintext":$1'))
    if (fault === 'http-502-with-body') return send(res, 502, json)
    if (fault === 'error-echoing-request') {
      // Tencent messages may quote request parameters (InvalidParameter…).
      const echo = { Error: { Code: 'InvalidParameter', Message: `bad request ${text}` }, RequestId: 'echo' }
      return send(res, 200, JSON.stringify({ Response: echo }))
    }
    send(res, 200, json)
  }
  const server = tls ? createTlsServer(tls, handle) : createServer(handle)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    httpFaults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** The made-up credentials the tests' Tencent server accepts (it checks nothing; the runtime must send them). */
export const testCredentialEnv = { TENCENTCLOUD_SECRET_ID: 'AKIDtest', TENCENTCLOUD_SECRET_KEY: 'test-secret-key' }

/**
 * A fake KMS behind a Tencent server for the file's tests, with `env` (the test credentials and more) set in
 * process.env meanwhile; both undone after the file. Read `kms`/`server` inside tests (set in beforeAll).
 */
export function useTencentServer(env: () => Promise<Record<string, string>> | Record<string, string> = () => ({})): {
  kms: FakeKms
  server: TencentServer
} {
  const saved = { ...process.env }
  const used = {} as { kms: FakeKms; server: TencentServer }
  beforeAll(async () => {
    used.kms = createFakeKms()
    used.server = await startTencentServer(used.kms)
    Object.assign(process.env, testCredentialEnv, await env())
  })
  afterAll(async () => {
    process.env = saved
    await used.server.close()
  })
  return used
}
