import { type ErrorCode, isKmsSecretsError, KmsSecretsError } from '@kms-secrets/core/errors'
import { type CallOptions, type DecryptRequest, type DecryptResult, scrubJsonSnippets } from '@kms-secrets/core/open'
import { isRetryable } from '../kms/kms-error.js'
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function timeoutError(ms: number): KmsSecretsError {
  return new KmsSecretsError('ERR_KMS_TIMEOUT', `KMS Decrypt did not answer within ${ms} ms.`, {
    hint: 'Raise KMS_SECRETS_TIMEOUT_MS or check the network path to KMS.',
  })
}

/** How a shared Decrypt ended badly; each waiting file turns it into an error naming itself. */
export class DecryptFailure extends Error {
  readonly error: unknown
  readonly attempts: number
  readonly exhausted: boolean

  constructor(error: unknown, attempts: number, exhausted: boolean) {
    super('KMS Decrypt failed.')
    this.name = 'DecryptFailure'
    this.error = error
    this.attempts = attempts
    this.exhausted = exhausted
  }
}

/** One attempt, bounded by our own timer (the provider may ignore the signal, e.g. while fetching credentials). */
function callWithTimeout<T>(call: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const ac = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(timeoutError(ms))
      ac.abort()
    }, ms)
  })
  const pending = Promise.resolve().then(() => call(ac.signal))
  // When the timer wins, the attempt may still reject later: that rejection is expected, not "unhandled".
  pending.catch(() => {})
  return Promise.race([pending, timeout]).finally(() => clearTimeout(timer))
}

const exhaustedHints: Partial<Record<ErrorCode, string>> = {
  ERR_KMS_THROTTLED:
    "KMS throttled Decrypt (Tencent's default quota is 300 calls/s per account). Stagger restarts, raise " +
    'KMS_SECRETS_MAX_ATTEMPTS, or ask Tencent Cloud for a higher KMS quota.',
}
const unreachableHint =
  'Check that this machine reaches the KMS endpoint (region, KMS_SECRETS_ENDPOINT, proxy settings), or raise ' +
  'KMS_SECRETS_MAX_ATTEMPTS / KMS_SECRETS_TIMEOUT_MS.'

/** Drops quoted response fragments from an error message (core's Tencent provider already does; custom ones may not). */
export const scrubMessage: (message: string) => string = scrubJsonSnippets

/** Wraps a Decrypt failure so it names the file, key, region, attempt count and Tencent's RequestId. */
export function decryptError(e: unknown, t: DecryptTarget, attempts: number, exhausted: boolean): KmsSecretsError {
  const key = t.keyId === '' ? 'recorded in the blob' : t.keyId
  const tries = `after ${attempts} attempt${attempts === 1 ? '' : 's'}`
  const details = { file: t.file, keyId: t.keyId }
  if (!isKmsSecretsError(e)) {
    // Not mapped by the provider: its message might quote a response body, so only its class name is kept.
    const name = e instanceof Error ? e.name : typeof e
    return new KmsSecretsError(
      'ERR_KMS_DECRYPT',
      `KMS ${t.action ?? 'Decrypt'} for ${t.file} (key ${key}) failed ${tries}: ${name}.`,
      {
        ...details,
        hint: 'The KMS client failed in an unexpected way; this is a bug in kms-secrets, please report it.',
      },
    )
  }
  const request = e.requestId ? `, RequestId ${e.requestId}` : ''
  return new KmsSecretsError(
    e.code,
    `KMS ${t.action ?? 'Decrypt'} for ${t.file} (key ${key}, region ${t.region}${request}) failed ${tries}: ${scrubMessage(e.message)}`,
    {
      ...details,
      hint: exhausted ? (exhaustedHints[e.code] ?? unreachableHint) : e.hint,
      kmsCode: e.kmsCode,
      requestId: e.requestId,
    },
  )
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
  for (let attempt = 1; ; attempt++) {
    try {
      return await callWithTimeout((signal) => call({ signal, timeoutMs: policy.timeoutMs }), policy.timeoutMs)
    } catch (e) {
      const retryable = isRetryable(e)
      if (!retryable || attempt >= policy.maxAttempts) throw new DecryptFailure(e, attempt, retryable)
      await sleep(backoffMs(attempt, policy))
    }
  }
}
