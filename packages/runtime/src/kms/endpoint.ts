import { KmsSecretsError } from '@kms-secrets/core/errors'

/** Tencent KMS API host (https://cloud.tencent.com/document/api/573/34406). */
export const kmsHost = 'kms.tencentcloudapi.com'

export interface KmsEndpoint {
  /** Where the request goes, e.g. `https://kms.tencentcloudapi.com/`. */
  url: string
  /** Host the signature covers (hostname, no port). */
  host: string
  /** 127.0.0.0/8, ::1 or localhost: never sent through a proxy. */
  loopback: boolean
}

const ipv4LoopbackRE = /^127(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/

/** 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return host === 'localhost' || host === '::1' || ipv4LoopbackRE.test(host)
}

const hint = 'Set it to a URL such as https://kms.tencentcloudapi.com or http://127.0.0.1:4599 (http: loopback only).'

function configError(problem: string): KmsSecretsError {
  // A URL may carry user:password: the message describes its shape, never echoes it.
  return new KmsSecretsError('ERR_KMS_CONFIG', `The KMS endpoint (KMS_SECRETS_ENDPOINT) ${problem}.`, hint)
}

/**
 * The endpoint override (a full URL) or Tencent's. `http://` only for loopback hosts (local-kms). Requests are always
 * signed for service `kms`, as in production (local-kms accepts `kms` for any host).
 */
export function resolveEndpoint(endpoint: string | undefined): KmsEndpoint {
  if (endpoint === undefined || endpoint === '') return { url: `https://${kmsHost}/`, host: kmsHost, loopback: false }
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    throw configError('is not a valid URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw configError('is not http(s)')
  if (url.username || url.password) throw configError('must not hold credentials')
  if (url.pathname !== '/' || url.search || url.hash) {
    throw configError('must have no path, query or fragment')
  }
  const loopback = isLoopbackHost(url.hostname)
  if (url.protocol === 'http:' && !loopback) throw configError('uses http:// for a non-loopback host')
  return { url: url.href, host: url.hostname, loopback }
}
