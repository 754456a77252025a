import { KmsSecretsError } from '@kms-secrets/core/errors'
import type { Env } from '../credentials/types.js'
import { isLoopbackHost } from './endpoint.js'
import { tlsTarget } from './raw-http.js'

/** An http:// proxy from the environment; `auth` is a ready `Proxy-Authorization` value. */
export interface ProxyTarget {
  host: string
  port: number
  auth: string | undefined
  /** The variable it came from (named in errors instead of its value, which may hold a password). */
  from: string
}

/**
 * The names the runtime reads, first set wins: `https_proxy` is the usual name for TLS targets; `http_proxy` is the
 * only one the Tencent SDK read (kept so a setup that worked with it still does).
 */
const proxyVars = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'] as const
const schemeRE = /^[a-z][a-z\d+.-]*:\/\//i

function noProxyEntry(entry: string): [name: string, port: string | undefined] {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry)
  if (v6) return [v6[1]!, v6[2]]
  const parts = entry.split(':')
  return parts.length === 2 ? [parts[0]!, parts[1]] : [entry, undefined]
}

/** curl's NO_PROXY rules: `*`, or names matching themselves and their subdomains (`.x`, `*.x` = `x`), optional `:port`. */
export function isNoProxyHost(noProxy: string, hostname: string, port: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return noProxy.split(/[\s,]+/).some((raw) => {
    if (raw === '*') return true
    const [entry, entryPort] = noProxyEntry(raw.toLowerCase())
    const name = entry.replace(/^\*?\./, '')
    if (name === '' || (entryPort !== undefined && entryPort !== port)) return false
    return host === name || host.endsWith(`.${name}`)
  })
}

function proxyError(from: string, problem: string): KmsSecretsError {
  // Named by its variable only: the URL may carry a password.
  return new KmsSecretsError('ERR_KMS_CONFIG', `The proxy in ${from} ${problem}.`, {
    hint: `Set ${from} to http://[user:password@]host:port (percent-encoded), or list the KMS host in NO_PROXY.`,
  })
}

/**
 * The proxy a KMS call to `url` goes through: only for https to a non-loopback host (local-kms is never proxied),
 * and not for hosts listed in `NO_PROXY`/`no_proxy`. Undefined when there is none.
 */
export function resolveProxy(url: URL, env: Env): ProxyTarget | undefined {
  if (url.protocol !== 'https:' || isLoopbackHost(url.hostname)) return undefined
  const from = proxyVars.find((name) => env[name]?.trim())
  if (from === undefined) return undefined
  const port = url.port || '443'
  if (isNoProxyHost(env.no_proxy ?? env.NO_PROXY ?? '', url.hostname, port)) return undefined
  const text = env[from]!.trim()
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
  return { host: p.hostname.replace(/^\[|\]$/g, ''), port: Number(p.port || 80), auth, from }
}

/** A refused CONNECT: carries the proxy's status only. */
export class TunnelError extends Error {
  constructor(readonly status: number) {
    super(`CONNECT answered ${status}`)
  }
}

/**
 * Node: an HTTP CONNECT tunnel through `proxy` to the KMS host, then TLS over it with the usual certificate checks
 * (servername = the KMS host). Builtins are loaded only here, when a proxy is configured.
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
        return reject(new TunnelError(res.statusCode ?? 0))
      }
      resolve(tls.connect({ socket, ...tlsOptions }))
    })
    req.on('error', reject)
    req.end()
  })
}
