import { KmsSecretsError } from '@kms-secrets/core/errors'
import { fromCvmRole, fromProfile, fromTkeOidc } from './cloud-sources.js'
import type { Env, SourceResult, TencentCredential, TimedCredential } from './types.js'

/** Explicit credentials: static, or a function called whenever a Decrypt needs them. */
export type CredentialOption = TencentCredential | (() => Promise<TencentCredential>)

export interface CredentialSource {
  get(): Promise<TencentCredential>
}

/** Temporary keys are replaced this long before they expire (CVM/TKE keys live for hours). */
const refreshMarginMs = 5 * 60_000

function fromEnv(env: Env, id: string, key: string, token: string): SourceResult {
  const secretId = env[id]?.trim()
  const secretKey = env[key]?.trim()
  if (secretId && secretKey) return { secretId, secretKey, token: env[token]?.trim() || undefined }
  return {
    missing:
      secretId || secretKey
        ? `${secretId ? key : id} is not set (only ${secretId ? id : key})`
        : `${id}/${key} not set`,
  }
}

type Source = (env: Env) => SourceResult | Promise<SourceResult>

/** After explicit options, in this order (DESIGN.md, Runtime): env, SCF's env names, profile file, CVM role, TKE. */
const sources: Source[] = [
  (env) => fromEnv(env, 'TENCENTCLOUD_SECRET_ID', 'TENCENTCLOUD_SECRET_KEY', 'TENCENTCLOUD_SESSION_TOKEN'),
  // Tencent SCF injects the function role's keys under these names.
  (env) => fromEnv(env, 'TENCENTCLOUD_SECRETID', 'TENCENTCLOUD_SECRETKEY', 'TENCENTCLOUD_SESSIONTOKEN'),
  fromProfile,
  fromCvmRole,
  fromTkeOidc,
]

function noCredentials(tried: string[]): KmsSecretsError {
  return new KmsSecretsError(
    'ERR_KMS_CREDENTIALS',
    `No Tencent Cloud credentials found. Tried: ${tried.join('; ')}.`,
    'Set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (+ _SESSION_TOKEN), or use a CVM, SCF or TKE role allowed kms:Decrypt.',
  )
}

async function resolveChain(env: Env): Promise<TimedCredential> {
  const tried: string[] = []
  for (const source of sources) {
    const r = await source(env)
    if ('missing' in r) tried.push(r.missing)
    else return r
  }
  throw noCredentials(tried)
}

function isFresh(c: TimedCredential, now: number): boolean {
  if (c.expiresAt === undefined) return true
  return now < c.expiresAt - refreshMarginMs
}

/**
 * The credential chain, resolved on first use and kept while fresh; temporary keys are fetched again before they
 * expire. Concurrent callers share one lookup. Nothing is printed: every miss becomes a line of ONE error.
 */
export function createCredentialSource(option: CredentialOption | undefined, env: Env): CredentialSource {
  if (option !== undefined && typeof option !== 'function') return { get: async () => option }
  if (typeof option === 'function') return { get: option }
  let current: Promise<TimedCredential> | undefined
  let expiry: TimedCredential | undefined
  return {
    async get() {
      if (current === undefined || (expiry !== undefined && !isFresh(expiry, Date.now()))) {
        expiry = undefined
        const lookup = resolveChain(env)
        current = lookup
        lookup.then(
          (c) => {
            if (current === lookup) expiry = c
          },
          () => {
            if (current === lookup) current = undefined
          },
        )
      }
      return current
    },
  }
}
