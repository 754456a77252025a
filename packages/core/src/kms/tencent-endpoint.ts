import { AsyncLocalStorage } from 'node:async_hooks'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import { KmsSecretsError } from '../errors.js'

/** One KMS call in flight: aborted when its connection closes before the call settled. */
export interface CallWatch {
  settled: boolean
  controller: AbortController
}

/**
 * The call a new connection belongs to (agents create connections synchronously inside the SDK's request). The SDK's
 * node-fetch 2 never notices a response body cut short by a closed connection and would wait for the timeout.
 */
export const callWatch: AsyncLocalStorage<CallWatch> = new AsyncLocalStorage<CallWatch>()

function watchSocket<S extends net.Socket>(socket: S): S {
  const watch = callWatch.getStore()
  if (watch !== undefined) {
    socket.once('close', () => {
      if (!watch.settled) watch.controller.abort(new Error('KMS connection closed before the response was complete'))
    })
  }
  return socket
}

/**
 * Agent for the cloud endpoint when no proxy is configured: one connection per call (the runtime makes one call per
 * process), each watched for a premature close. With a proxy the SDK's own proxy agent is used instead.
 */
export function createWatchedHttpsAgent(): https.Agent {
  const agent = new https.Agent({ keepAlive: false })
  const base = agent.createConnection.bind(agent) as (...args: unknown[]) => net.Socket
  Object.assign(agent, { createConnection: (...args: unknown[]) => watchSocket(base(...args)) })
  return agent
}

/** Tencent KMS API host; the SDK derives the signing service (`kms`) from its first label. */
export const tencentKmsHost = 'kms.tencentcloudapi.com'

export interface ResolvedEndpoint {
  /** Bare `host[:port]` for the SDK's `httpProfile.endpoint`. */
  endpoint: string
  /** `https://` or `http://` (loopback only). */
  protocol: 'https://' | 'http://'
  /** For loopback endpoints: dials the loopback host/port whatever the URL host (and bypasses env proxies). */
  agent?: http.Agent
}

/** 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (host === 'localhost' || host === '::1') return true
  return net.isIPv4(host) && host.startsWith('127.')
}

function configError(endpoint: string, problem: string, hint: string): KmsSecretsError {
  // The endpoint is configuration, not a secret, but a URL may carry user:password; only its shape is described.
  return new KmsSecretsError('ERR_KMS_CONFIG', `The KMS endpoint ${redactUrl(endpoint)} ${problem}.`, hint)
}

function redactUrl(text: string): string {
  return text.replace(/\/\/[^/@]*@/, '//***@').slice(0, 200)
}

/** An http.Agent whose every connection goes to `host:port`, whatever host the request names. */
export function createLoopbackAgent(host: string, port: number): http.Agent {
  const agent = new http.Agent({ keepAlive: false })
  const dial = () => watchSocket(net.connect({ host, port }))
  Object.assign(agent, { createConnection: dial })
  return agent
}

/**
 * Resolves the endpoint override (`KMS_SECRETS_ENDPOINT`, a full URL) for the SDK. Undefined → the Tencent cloud
 * endpoint over https. `http://` is accepted only for loopback hosts; then the SDK keeps the host
 * `kms.tencentcloudapi.com[:port]` (so requests are signed for service `kms`, as in production) and an explicit agent
 * dials the loopback address (so `http_proxy` in the environment is never used).
 */
export function resolveTencentEndpoint(endpoint: string | undefined): ResolvedEndpoint {
  if (endpoint === undefined || endpoint === '') return { endpoint: tencentKmsHost, protocol: 'https://' }
  const hint =
    'Set KMS_SECRETS_ENDPOINT (or the endpoint option) to a full URL such as https://kms.tencentcloudapi.com or http://127.0.0.1:4599 (http only for loopback).'
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    throw configError(endpoint, 'is not a valid URL', hint)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw configError(endpoint, 'is not http(s)', hint)
  if (url.username || url.password) throw configError(endpoint, 'must not contain credentials', hint)
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw configError(endpoint, 'must not have a path, query or fragment (Tencent APIs live at "/")', hint)
  }
  const loopback = isLoopbackHost(url.hostname)
  if (url.protocol === 'https:') return { endpoint: url.host, protocol: 'https://' }
  if (!loopback) {
    throw configError(
      endpoint,
      'uses plain http:// for a non-loopback host',
      `Use https:// for remote KMS endpoints. ${hint}`,
    )
  }
  const port = url.port === '' ? 80 : Number(url.port)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  return {
    endpoint: url.port === '' ? tencentKmsHost : `${tencentKmsHost}:${port}`,
    protocol: 'http://',
    agent: createLoopbackAgent(host, port),
  }
}
