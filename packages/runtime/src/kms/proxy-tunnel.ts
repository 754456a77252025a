import { KmsSecretsError } from '@kms-secrets/core/errors'
import type { TunnelOpener } from '../credentials/cloud-addon.js'
import type { Env } from '../credentials/types.js'
import { bareHost } from './endpoint.js'
import { proxyVar } from './proxy.js'
import { tlsTarget } from './raw-http.js'

/**
 * The env proxy's CONNECT tunnel, part of `@kms-secrets/runtime/cloud`: the inlined runtime decides whether a proxy
 * applies (proxy.ts: loopback never, NO_PROXY) and asks the add-on for the tunnel only then.
 */

/** An http:// proxy from the environment; `auth` is a ready `Proxy-Authorization` value. */
export interface ProxyTarget {
  host: string
  port: number
  auth: string | undefined
  /** The variable it came from (named in errors instead of its value, which may hold a password). */
  from: string
}

const schemeRE = /^[a-z][a-z\d+.-]*:\/\//i

function proxyError(from: string, problem: string): KmsSecretsError {
  // Named by its variable only: the URL may carry a password.
  return new KmsSecretsError('ERR_KMS_CONFIG', `The proxy in ${from} ${problem}.`, {
    hint: `Set ${from} to http://[user:password@]host:port (percent-encoded), or list the KMS host in NO_PROXY.`,
  })
}

/** The value of proxy variable `from`: an http:// URL (scheme optional), user info percent-encoded. */
export function parseProxy(from: string, value: string): ProxyTarget {
  const text = value.trim()
  let p: URL
  let auth: string | undefined
  try {
    p = new URL(schemeRE.test(text) ? text : `http://${text}`)
    const user = decodeURIComponent(p.username)
    if (user) auth = `Basic ${Buffer.from(`${user}:${decodeURIComponent(p.password)}`).toString('base64')}`
  } catch {
    // A bad URL, or a `%` in the user info that is not percent-encoding (decodeURIComponent's URIError).
    throw proxyError(from, 'is not a valid URL')
  }
  if (p.protocol !== 'http:') throw proxyError(from, 'is not http:// (no https:// or SOCKS proxies)')
  return { host: bareHost(p.hostname), port: Number(p.port || 80), auth, from }
}

/** The proxy a KMS call to `url` goes through (proxy.ts's decision, then the variable's value parsed). */
export function resolveProxy(url: URL, env: Env): ProxyTarget | undefined {
  const from = proxyVar(url, env)
  return from === undefined ? undefined : parseProxy(from, env[from]!)
}

/**
 * Node: an HTTP CONNECT tunnel through `proxy` to the KMS host, then TLS over it with the usual certificate checks
 * (servername = the KMS host). Builtins are loaded only here, when a proxy is configured. A refused CONNECT rejects
 * with an error carrying the proxy's status only (`connectStatus`, read by tencent-decrypt.ts in another copy).
 */
export function openTunnel(proxy: ProxyTarget, url: URL, signal: AbortSignal | undefined) {
  const http = process.getBuiltinModule('node:http')
  const tls = process.getBuiltinModule('node:tls')
  const tlsOptions = tlsTarget(url)
  const authority = `${url.hostname}:${url.port || 443}`
  const headers: Record<string, string> = { Host: authority }
  if (proxy.auth) headers['Proxy-Authorization'] = proxy.auth
  const options = { method: 'CONNECT', host: proxy.host, port: proxy.port, path: authority, headers, agent: false }
  return new Promise<import('node:tls').TLSSocket>((resolve, reject) => {
    const req = http.request({ ...options, ...(signal ? { signal } : {}) })
    req.on('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy()
        return reject(Object.assign(new Error('CONNECT refused'), { connectStatus: res.statusCode ?? 0 }))
      }
      resolve(tls.connect({ socket, ...tlsOptions }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** The add-on's `tunnel`: parses the variable's value once (ERR_KMS_CONFIG when bad), opens a tunnel per call. */
export function proxyTunnel(from: string, value: string): TunnelOpener {
  const proxy = parseProxy(from, value)
  return (url, signal) => openTunnel(proxy, url, signal)
}
