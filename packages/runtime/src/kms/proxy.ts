import { KmsSecretsError } from '@kms-secrets/core/errors'
import { cloudAddon, cloudFix, type TunnelOpener } from '../credentials/cloud-addon.js'
import type { Env } from '../credentials/types.js'
import { bareHost, isLoopbackHost } from './endpoint.js'

/**
 * The names the runtime reads, first set wins: `https_proxy` is the usual name for TLS targets; `http_proxy` is the
 * only one the Tencent SDK read (kept so a setup that worked with it still does).
 */
const proxyVars = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'] as const

// An entry: `name`, `name:port`, `[v6]` or `[v6]:port`; anything else (a bare IPv6 address) is a name as a whole.
const entryRE = /^(?:\[([^\]]+)\]|([^:]*))(?::(\d+))?$/

/** curl's NO_PROXY rules: `*`, or names matching themselves and their subdomains (`.x`, `*.x` = `x`), optional `:port`. */
export function isNoProxyHost(noProxy: string, hostname: string, port: string): boolean {
  const host = bareHost(hostname).toLowerCase()
  return noProxy
    .toLowerCase()
    .split(/[\s,]+/)
    .some((raw) => {
      if (raw === '*') return true
      const m = entryRE.exec(raw)
      const entryPort = m?.[3]
      const name = (m ? (m[1] ?? m[2]!) : raw).replace(/^\*?\./, '')
      if (name === '' || (entryPort !== undefined && entryPort !== port)) return false
      return host === name || host.endsWith(`.${name}`)
    })
}

/**
 * The variable naming the proxy a KMS call to `url` goes through: only for https to a non-loopback host (local-kms is
 * never proxied), and not for hosts listed in `NO_PROXY`/`no_proxy`. Undefined when there is none. The tunnel itself
 * (parsing the value, CONNECT, TLS) is in `@kms-secrets/runtime/cloud` (proxy-tunnel.ts).
 */
export function proxyVar(url: URL, env: Env): string | undefined {
  if (url.protocol !== 'https:' || isLoopbackHost(url.hostname)) return undefined
  const from = proxyVars.find((name) => env[name]?.trim())
  if (from === undefined || isNoProxyHost(env.no_proxy ?? env.NO_PROXY ?? '', url.hostname, url.port || '443')) return
  return from
}

/**
 * The tunnel through the proxy in variable `from`, from the add-on. Without it, ERR_KMS_CONFIG: never a direct
 * connection where a proxy is configured for the endpoint (nor the variable's value, which may hold a password).
 */
export async function tunnelFor(from: string, env: Env): Promise<TunnelOpener> {
  const cloud = await cloudAddon()
  if (cloud) return cloud.tunnel(from, env[from]!)
  throw new KmsSecretsError('ERR_KMS_CONFIG', `The proxy in ${from} needs the proxy tunnel, not in this bundle.`, {
    hint: `${cloudFix}, or list the KMS host in NO_PROXY.`,
  })
}
