import { Agent } from 'node:http'
import { connect } from 'node:net'
import { CommonClient } from 'tencentcloud-sdk-nodejs-common'
import { admin } from './server.js'

// biome-ignore lint/suspicious/noExplicitAny: tests read API responses dynamically and assert on their shape.
export type Json = any

export interface Credential {
  secretId: string
  secretKey: string
  token?: string
}

export interface SdkClient {
  client: CommonClient
  /** Calls an action; resolves with the Response object (RequestId included). */
  call(action: string, params?: Record<string, unknown>): Promise<Record<string, Json>>
  /** Calls an action that must fail; resolves with the SDK error's code, message and requestId. */
  fail(action: string, params?: Record<string, unknown>): Promise<SdkError>
  close(): void
}

export interface SdkError {
  code: string | undefined
  httpCode: number | undefined
  message: string
  requestId: string
}

/**
 * The official SDK transport, as the kms-secrets provider uses it: endpoint `kms.tencentcloudapi.com:<port>` over
 * http:// with an Agent that dials 127.0.0.1 — so the SDK signs service `kms` and host `kms.tencentcloudapi.com`.
 * `plainEndpoint` instead uses endpoint `127.0.0.1:<port>` (the SDK then signs service `127`).
 */
export function createSdkClient(
  port: number,
  credential: Credential = admin,
  options: { plainEndpoint?: boolean; reqTimeout?: number } = {},
): SdkClient {
  const agent = new Agent({ keepAlive: true })
  ;(agent as unknown as { createConnection: unknown }).createConnection = () => connect({ host: '127.0.0.1', port })
  const endpoint = options.plainEndpoint ? `127.0.0.1:${port}` : `kms.tencentcloudapi.com:${port}`
  const client = new CommonClient('kms.tencentcloudapi.com', '2019-01-18', {
    credential,
    region: 'ap-guangzhou',
    profile: { httpProfile: { endpoint, protocol: 'http://', agent, reqTimeout: options.reqTimeout ?? 10 } },
  })
  return {
    client,
    call: (action, params = {}) => client.request(action, params) as Promise<Record<string, Json>>,
    async fail(action, params = {}) {
      try {
        await client.request(action, params)
      } catch (error) {
        const e = error as { code?: string; httpCode?: number; message: string; requestId: string }
        return { code: e.code, httpCode: e.httpCode, message: e.message, requestId: e.requestId }
      }
      throw new Error(`${action} was expected to fail but succeeded`)
    },
    close: () => agent.destroy(),
  }
}

export function b64(text: string | Uint8Array): string {
  return Buffer.from(text).toString('base64')
}

export function unb64(text: string): string {
  return Buffer.from(text, 'base64').toString('utf8')
}

let aliasCounter = 0

/** Creates a key with a unique alias; returns its KeyId and alias. */
export async function createKey(sdk: SdkClient, prefix = 'k'): Promise<{ keyId: string; alias: string }> {
  aliasCounter += 1
  const alias = `${prefix}-${process.pid}-${aliasCounter}`
  const res = await sdk.call('CreateKey', { Alias: alias })
  return { keyId: res.KeyId as string, alias }
}
