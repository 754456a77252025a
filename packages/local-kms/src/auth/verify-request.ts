import { timingSafeEqual } from 'node:crypto'
import { ApiError } from '../server/api-error.js'
import type { Identity } from './identity.js'
import { computeTc3Signature, parseTc3Authorization, utcDateOf } from './tc3.js'

/** What the verifier needs from an HTTP request; header names lower-case. */
export interface SignedRequest {
  method: string
  query: string
  headers: Record<string, string | undefined>
  body: Uint8Array
}

export interface VerifyOptions {
  nowSeconds: number
  /** Allowed clock skew in seconds (Tencent: 300). */
  maxSkewSeconds: number
  findIdentity(secretId: string): Identity | undefined
}

const timestampRE = /^\d{1,12}$/

/**
 * Authenticates a TC3-HMAC-SHA256 request and returns its identity, or throws the `AuthFailure.*` code Tencent
 * documents (reference §3, §11). Credential-scope date and service are taken from the header, as the SDK signs them.
 */
export function verifyRequest(req: SignedRequest, opts: VerifyOptions): Identity {
  const auth = parseTc3Authorization(req.headers.authorization)
  if (!auth?.signedHeaders.includes('host') || !auth.signedHeaders.includes('content-type')) {
    throw new ApiError(
      'AuthFailure.InvalidAuthorization',
      'The Authorization header is not a valid TC3-HMAC-SHA256 header.',
    )
  }
  const timestamp = req.headers['x-tc-timestamp'] ?? ''
  if (!timestampRE.test(timestamp)) {
    throw new ApiError('AuthFailure.InvalidAuthorization', 'X-TC-Timestamp must be an integer Unix time in seconds.')
  }
  const identity = opts.findIdentity(auth.secretId)
  if (!identity) throw new ApiError('AuthFailure.SecretIdNotFound', 'The SecretId of the credential is not known.')
  const ts = Number(timestamp)
  if (Math.abs(opts.nowSeconds - ts) > opts.maxSkewSeconds) {
    throw new ApiError('AuthFailure.SignatureExpire', 'The request timestamp is more than 5 minutes from server time.')
  }
  if (!acceptedServices(req.headers.host).includes(auth.service)) {
    throw new ApiError('AuthFailure.SignatureFailure', 'The credential scope service does not match this endpoint.')
  }
  if (auth.date !== utcDateOf(ts)) {
    throw new ApiError(
      'AuthFailure.SignatureFailure',
      'The credential scope date is not the UTC date of the timestamp.',
    )
  }
  const expected = computeTc3Signature({ ...req, ...auth, secretKey: identity.secretKey, timestamp })
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature))) {
    throw new ApiError('AuthFailure.SignatureFailure', 'The request signature does not match.')
  }
  checkToken(identity, req.headers['x-tc-token'])
  return identity
}

/**
 * `kms` (production endpoints), or the first dot label of the Host header: the SDK derives the service from its
 * endpoint this way, so endpoint `127.0.0.1:4599` signs `127` (reference §5).
 */
function acceptedServices(host: string | undefined): string[] {
  const label = (host ?? '').trim().toLowerCase().split('.')[0] ?? ''
  return label ? ['kms', label] : ['kms']
}

function checkToken(identity: Identity, token: string | undefined): void {
  const sent = token !== undefined && token !== ''
  if (identity.token === undefined) {
    if (sent) throw new ApiError('AuthFailure.TokenFailure', 'X-TC-Token was sent for a credential that has none.')
    return
  }
  if (!sent || !safeEqual(identity.token, token)) {
    throw new ApiError('AuthFailure.TokenFailure', 'X-TC-Token is missing or does not match the credential.')
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
