import { KmsSecretsError } from '@kms-secrets/core/errors'

/** Tencent KMS API host (https://cloud.tencent.com/document/api/573/34406). */
export const kmsHost = 'kms.tencentcloudapi.com'

// A URL's hostname: the URL parser has already turned any IPv4 form (127.1, 0x7f.1, …) into four decimal octets, and a
// name whose last label is a number is parsed as IPv4, so four dotted numbers starting with 127 are 127.0.0.0/8.
const ipv4LoopbackRE = /^127(\.\d+){3}$/

/** A hostname without the brackets of an IPv6 address. */
export const bareHost = (hostname: string): string => hostname.replace(/^\[|\]$/g, '')

/** 127.0.0.0/8, ::1 and `localhost`, for a hostname from `URL`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = bareHost(hostname).toLowerCase()
  return host === 'localhost' || host === '::1' || ipv4LoopbackRE.test(host)
}

const hint = 'Use e.g. https://kms.tencentcloudapi.com or http://127.0.0.1:4599 (http: loopback only).'

function configError(problem: string): KmsSecretsError {
  // A URL may carry user:password: the message describes its shape, never echoes it.
  return new KmsSecretsError('ERR_KMS_CONFIG', `The KMS endpoint (KMS_SECRETS_ENDPOINT) ${problem}.`, hint)
}

/**
 * The endpoint override (a full URL) or Tencent's, as a URL (its `hostname` is the host the signature covers).
 * `http://` only for loopback hosts (local-kms). Requests are always signed for service `kms`, as in production
 * (local-kms accepts `kms` for any host).
 */
export function resolveEndpoint(endpoint: string | undefined): URL {
  let url: URL
  try {
    url = new URL(endpoint || `https://${kmsHost}/`)
  } catch {
    throw configError('is not a valid URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw configError('is not http(s)')
  if (url.username || url.password) throw configError('must not hold credentials')
  if (url.pathname !== '/' || url.search || url.hash) throw configError('must have no path, query or fragment')
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    throw configError('uses http:// for a non-loopback host')
  return url
}
