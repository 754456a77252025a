import { isKmsSecretsError, KmsSecretsError } from '@kms-secrets/core/errors'
import { type CallOptions, type DecryptRequest, type DecryptResult, scrubJsonSnippets } from '@kms-secrets/core/open'
import { isRetryable, networkHint } from '../kms/kms-error.js'
import type { DecryptProvider } from '../kms/tencent-decrypt.js'
import type { ResolvedOptions } from './options.js'

/** What a failed Decrypt concerns, for the error message (never a value). */
export interface DecryptTarget {
  file: string
  keyId: string
  region: string
  /** The KMS action, for messages: Decrypt unless set (a project key may use AsymmetricRsaDecrypt/Sm2Decrypt). */
  action?: string
}

type RetryPolicy = Pick<ResolvedOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'timeoutMs' | 'random'>

/** "Full jitter" (AWS architecture blog, Exponential Backoff And Jitter): spreads a fleet restart evenly. */
export function backoffMs(attempt: number, p: RetryPolicy): number {
  return Math.floor(p.random() * Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (attempt - 1)))
}

/** How a shared Decrypt ended badly; each waiting file turns it into an error naming itself. */
export class DecryptFailure extends Error {
  // `declare`: set in the constructor only (no field declarations in the minified class).
  declare readonly error: unknown
  declare readonly attempts: number
  declare readonly exhausted: boolean

  constructor(error: unknown, attempts: number, exhausted: boolean) {
    super('KMS Decrypt failed.')
    this.name = 'DecryptFailure'
    this.error = error
    this.attempts = attempts
    this.exhausted = exhausted
  }
}

const throttledHint =
  "Tencent's default KMS quota is 300 calls/s per account: stagger restarts, raise KMS_SECRETS_MAX_ATTEMPTS or ask " +
  'for more.'

/** Drops quoted response fragments from an error message (core's Tencent provider already does; custom ones may not). */
export const scrubMessage: (message: string) => string = scrubJsonSnippets

/** Wraps a Decrypt failure so it names the file, key, region, attempt count and Tencent's RequestId. */
export function decryptError(e: unknown, t: DecryptTarget, attempts: number, exhausted: boolean): KmsSecretsError {
  const what = `KMS ${t.action ?? 'Decrypt'} for ${t.file} (key ${t.keyId || 'recorded in the blob'}`
  const tries = `failed after ${attempts} attempt${attempts === 1 ? '' : 's'}`
  const { file, keyId } = t
  if (!isKmsSecretsError(e)) {
    // Not mapped by the provider: its message might quote a response body, so only its class name is kept.
    const name = e instanceof Error ? e.name : typeof e
    return new KmsSecretsError('ERR_KMS_DECRYPT', `${what}) ${tries}: ${name}.`, {
      file,
      keyId,
      hint: 'A bug in kms-secrets or a custom provider: please report it.',
    })
  }
  const { code, kmsCode, requestId } = e
  const request = requestId ? `, RequestId ${requestId}` : ''
  return new KmsSecretsError(code, `${what}, region ${t.region}${request}) ${tries}: ${scrubMessage(e.message)}`, {
    file,
    keyId,
    hint: exhausted ? (code === 'ERR_KMS_THROTTLED' ? throttledHint : networkHint) : e.hint,
    kmsCode,
    requestId,
  })
}

/**
 * KMS Decrypt with bounded retries: retryable failures (throttling, 5xx/InternalError, network, timeout —
 * `isRetryable`) back off and try again; anything else fails at once. Rejects with a DecryptFailure, which
 * each waiting file turns into its own error (`toOpenError`).
 */
export function decryptWithRetry(
  provider: DecryptProvider,
  req: DecryptRequest,
  policy: RetryPolicy,
): Promise<DecryptResult> {
  return callWithRetry((opts) => provider.decrypt(req, opts), policy)
}

/** `decryptWithRetry` for any KMS call (the project key's Decrypt / AsymmetricRsaDecrypt / AsymmetricSm2Decrypt). */
export async function callWithRetry(
  call: (opts: CallOptions) => Promise<DecryptResult>,
  policy: RetryPolicy,
): Promise<DecryptResult> {
  const { timeoutMs } = policy
  for (let attempt = 1; ; attempt++) {
    // One attempt, bounded by our own timer (the provider may ignore the signal, e.g. while fetching credentials).
    const ac = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      const pending = Promise.resolve().then(() => call({ signal: ac.signal, timeoutMs }))
      // When the timer wins, the attempt may still reject later: that rejection is expected, not "unhandled".
      pending.catch(() => {})
      return await Promise.race([
        pending,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            reject(
              new KmsSecretsError('ERR_KMS_TIMEOUT', `KMS Decrypt did not answer within ${timeoutMs} ms.`, {
                hint: networkHint,
              }),
            )
            ac.abort()
          }, timeoutMs)
        }),
      ]).finally(() => clearTimeout(timer))
    } catch (e) {
      const retryable = isRetryable(e)
      if (!retryable || attempt >= policy.maxAttempts) throw new DecryptFailure(e, attempt, retryable)
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt, policy)))
    }
  }
}
