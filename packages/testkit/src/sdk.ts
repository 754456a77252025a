import { Agent } from 'node:http'
import { createRequire } from 'node:module'
import { connect } from 'node:net'
import { CommonClient } from 'tencentcloud-sdk-nodejs-common'

export interface Credential {
  secretId: string
  secretKey: string
  token?: string
}

export interface SdkError {
  code: string | undefined
  httpCode: number | undefined
  message: string
  requestId: string
}

// biome-ignore lint/suspicious/noExplicitAny: tests read API responses dynamically and assert on their shape.
export type Json = any

export interface SdkClient extends CommonClient {
  /** Calls an action; resolves with the Response object (RequestId included). */
  call(action: string, params?: Record<string, unknown>): Promise<Record<string, Json>>
  /** Calls an action that must fail; resolves with the SDK error's code, message and requestId. */
  fail(action: string, params?: Record<string, unknown>): Promise<SdkError>
  /** Destroys the client's connections. */
  close(): void
}

export interface SdkClientOptions {
  /** Endpoint `127.0.0.1:<port>` instead of `kms.tencentcloudapi.com:<port>` (the SDK then signs service `127`). */
  plainEndpoint?: boolean
  /** Seconds (the SDK's unit). Default 10. */
  reqTimeout?: number
  keepAlive?: boolean
  maxSockets?: number
}

/**
 * The official SDK transport pointed at a loopback KMS the production way: endpoint `kms.tencentcloudapi.com:<port>`
 * over http:// (so it signs service `kms` and host `kms.tencentcloudapi.com`), with an Agent that dials 127.0.0.1.
 */
export function createSdkClient(endpoint: string, credential: Credential, o: SdkClientOptions = {}): SdkClient {
  const { hostname, port } = new URL(endpoint)
  const agent = new Agent({ keepAlive: o.keepAlive ?? true, maxSockets: o.maxSockets ?? Number.POSITIVE_INFINITY })
  Object.assign(agent, { createConnection: () => connect({ host: hostname, port: Number(port) }) })
  const client = new CommonClient('kms.tencentcloudapi.com', '2019-01-18', {
    credential,
    region: 'ap-guangzhou',
    profile: {
      httpProfile: {
        endpoint: o.plainEndpoint ? `127.0.0.1:${port}` : `kms.tencentcloudapi.com:${port}`,
        protocol: 'http://',
        agent,
        reqTimeout: o.reqTimeout ?? 10,
      },
    },
  })
  return Object.assign(client, {
    call: (action: string, params: Record<string, unknown> = {}) =>
      client.request(action, params) as Promise<Record<string, Json>>,
    async fail(action: string, params: Record<string, unknown> = {}): Promise<SdkError> {
      try {
        await client.request(action, params)
      } catch (error) {
        const e = error as { code?: string; httpCode?: number; message: string; requestId: string }
        return { code: e.code, httpCode: e.httpCode, message: e.message, requestId: e.requestId }
      }
      throw new Error(`${action} was expected to fail but succeeded`)
    },
    close: () => agent.destroy(),
  })
}

/** KMS Encrypt through the SDK: what `tccli kms Encrypt` or the console's online tool would produce. */
export async function sdkEncrypt(
  endpoint: string,
  credential: Credential,
  keyId: string,
  plaintext: string,
  encryptionContext?: string,
): Promise<string> {
  const client = createSdkClient(endpoint, credential)
  try {
    const res = await client.call('Encrypt', {
      KeyId: keyId,
      Plaintext: Buffer.from(plaintext, 'utf8').toString('base64'),
      ...(encryptionContext === undefined ? {} : { EncryptionContext: encryptionContext }),
    })
    return String(res.CiphertextBlob)
  } finally {
    client.close()
  }
}

export interface SdkSign {
  sign3(o: {
    method: string
    url: string
    payload: string | Buffer
    timestamp: number
    service: string
    secretId: string
    secretKey: string
    multipart: boolean
    boundary?: string
    headers: Record<string, string>
  }): string
}

/** The official TC3-HMAC-SHA256 signer (`Sign.sign3` of tencentcloud-sdk-nodejs-common). */
export const sdkSign: SdkSign = (
  createRequire(import.meta.url)('tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js') as { default: SdkSign }
).default
