import { KmsSecretsError } from '@kms-secrets/core/errors'
import type { CredentialOption } from '../credentials/chain.js'
import type { Env } from '../credentials/types.js'
import type { DecryptProvider } from '../kms/tencent-decrypt.js'

/** Retry policy for KMS Decrypt: bounded attempts, exponential backoff with full jitter. */
export interface RetryOptions {
  /** Total Decrypt attempts per data key, first one included. Default 10 (env `KMS_SECRETS_MAX_ATTEMPTS`). */
  maxAttempts?: number
  /** Backoff base in ms: the n-th wait is random in [0, min(maxDelayMs, baseDelayMs · 2^(n-1))). Default 100. */
  baseDelayMs?: number
  /** Backoff cap in ms. Default 5000. */
  maxDelayMs?: number
  /** Source of jitter in [0, 1); tests pass a fixed one. */
  random?: () => number
}

export interface SecretOpenerOptions {
  /**
   * The KMS to call (anything with core's `KmsProvider.decrypt`). Default: the runtime's own Tencent KMS Decrypt over
   * `fetch`, one per region, created on first use. A function receives the region an envelope needs.
   */
  provider?: DecryptProvider | ((region: string) => DecryptProvider)
  /**
   * Tencent Cloud credentials, static or a function (then called for every Decrypt). Default, in this order: env
   * TENCENTCLOUD_SECRET_ID/_SECRET_KEY/_SESSION_TOKEN, SCF's TENCENTCLOUD_SECRETID/_SECRETKEY/_SESSIONTOKEN, the
   * profile file ~/.tencentcloud/credentials, the CVM role (metadata service), TKE OIDC.
   */
  credential?: CredentialOption
  /** Region for every envelope. Default: env `TENCENTCLOUD_REGION`, else the region recorded in the envelope. */
  region?: string
  /** KMS endpoint URL (http:// only for loopback, e.g. local-kms). Default: env `KMS_SECRETS_ENDPOINT`. */
  endpoint?: string
  retry?: RetryOptions
  /** Per-call timeout for one Decrypt attempt in ms. Default 5000 (env `KMS_SECRETS_TIMEOUT_MS`). */
  timeoutMs?: number
}

export interface ResolvedOptions {
  provider: SecretOpenerOptions['provider']
  credential: CredentialOption | undefined
  /** Where the credential chain reads its variables. */
  env: Env
  region: string | undefined
  endpoint: string | undefined
  maxAttempts: number
  baseDelayMs: number
  maxDelayMs: number
  timeoutMs: number
  random: () => number
}

/**
 * Tencent's default Decrypt quota is 300/s per account. 10 attempts with full-jitter backoff (at most ~21 s of
 * cumulative waiting) let a fleet restarting all at once at up to ~5× the quota get through (SECURITY.md §7 has the
 * simulation); 6 attempts gave up at 2× in a third of simulated restarts.
 */
export const defaults = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 5000, timeoutMs: 5000 } as const

/** `KMS_SECRETS_<name>` as an integer in [min, max]; undefined when unset or blank. */
function envNumber(env: Env, suffix: string, min: number, max: number): number | undefined {
  const name = `KMS_SECRETS_${suffix}`
  const text = env[name]
  if (!text?.trim()) return undefined
  const n = Number(text)
  /* Precondition: numeric env settings are integers in range. */
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new KmsSecretsError(
      'ERR_KMS_CONFIG',
      `${name} must be an integer from ${min} to ${max}.`,
      `Fix or unset ${name}.`,
    )
  }
  return n
}

function nonEmpty(text: string | undefined): string | undefined {
  return text?.trim() || undefined
}

/** Options first, then the environment, then defaults. Environment values are read once, when an opener is made. */
export function resolveOptions(
  options: SecretOpenerOptions = {},
  env: Env = globalThis.process?.env ?? {},
): ResolvedOptions {
  const retry = options.retry ?? {}
  const maxAttempts = retry.maxAttempts ?? envNumber(env, 'MAX_ATTEMPTS', 1, 100) ?? defaults.maxAttempts
  const baseDelayMs = retry.baseDelayMs ?? envNumber(env, 'RETRY_BASE_MS', 0, 60_000) ?? defaults.baseDelayMs
  const maxDelayMs = retry.maxDelayMs ?? envNumber(env, 'RETRY_MAX_MS', 0, 600_000) ?? defaults.maxDelayMs
  const timeoutMs = options.timeoutMs ?? envNumber(env, 'TIMEOUT_MS', 1, 600_000) ?? defaults.timeoutMs
  /* Precondition: the retry budget is bounded. */
  if (!(maxAttempts >= 1 && baseDelayMs >= 0 && maxDelayMs >= 0 && timeoutMs > 0)) {
    throw new KmsSecretsError(
      'ERR_KMS_CONFIG',
      'The retry options are out of range.',
      'Use maxAttempts >= 1, delays >= 0, timeoutMs > 0.',
    )
  }
  return {
    provider: options.provider,
    credential: options.credential,
    env,
    region: nonEmpty(options.region) ?? nonEmpty(env.TENCENTCLOUD_REGION),
    endpoint: nonEmpty(options.endpoint) ?? nonEmpty(env.KMS_SECRETS_ENDPOINT),
    maxAttempts,
    baseDelayMs,
    maxDelayMs,
    timeoutMs,
    random: retry.random ?? Math.random,
  }
}

/** Longest a whole open may take: every attempt timing out plus every backoff at its cap. */
export function worstCaseMs(o: Pick<ResolvedOptions, 'maxAttempts' | 'maxDelayMs' | 'timeoutMs'>): number {
  return o.maxAttempts * o.timeoutMs + (o.maxAttempts - 1) * o.maxDelayMs
}
