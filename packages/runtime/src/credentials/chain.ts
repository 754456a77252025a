import { KmsSecretsError } from '@kms-secrets/core/errors'
import { cloudAddon, cloudFix } from './cloud-addon.js'
import type { Env, SourceResult, TencentCredential } from './types.js'

/** Explicit credentials: static, or a function called whenever a Decrypt needs them. */
export type CredentialOption = TencentCredential | (() => Promise<TencentCredential>)

export interface CredentialSource {
  get(): Promise<TencentCredential>
}

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

/**
 * After explicit options, in this order (DESIGN.md, Runtime): env, SCF's env names (Tencent SCF injects the function
 * role's keys under these), then — from `@kms-secrets/runtime/cloud`, loaded only when neither answered — the profile
 * file, CVM role and TKE OIDC (cloud-sources.ts).
 */
const envIds = ['TENCENTCLOUD_SECRET_ID', 'TENCENTCLOUD_SECRET_KEY', 'TENCENTCLOUD_SESSION_TOKEN']
// SCF's: the same names without their last underscore (TENCENTCLOUD_SECRETID, _SECRETKEY, _SESSIONTOKEN).
const envNames = [envIds, envIds.map((n) => n.replace(/_(?=[A-Z]+$)/, ''))] as [string, string, string][]

/**
 * The credential getter: a static one from the environment, else the add-on's (which refreshes temporary keys
 * before they expire). Without the add-on: ONE ERR_KMS_CREDENTIALS saying how to add it.
 */
async function resolveChain(env: Env): Promise<() => Promise<TencentCredential>> {
  const tried: string[] = []
  for (const [id, key, token] of envNames) {
    const r = fromEnv(env, id, key, token)
    if (!('missing' in r)) return async () => r
    tried.push(r.missing)
  }
  const cloud = await cloudAddon()
  if (cloud) return cloud.credentials(env, tried)
  throw new KmsSecretsError(
    'ERR_KMS_CREDENTIALS',
    `No Tencent Cloud credentials found. Tried: ${tried.join('; ')}; profile/CVM role/TKE OIDC: not in this bundle.`,
    `Set TENCENTCLOUD_SECRET_ID/_SECRET_KEY (+ _SESSION_TOKEN); for a profile, CVM or TKE role, ${cloudFix}.`,
  )
}

/**
 * The credential chain, resolved on first use and kept (temporary keys: by the add-on, while fresh). Concurrent
 * callers share one lookup; a failed one is tried afresh by the next call. Nothing is printed: every miss becomes a
 * line of ONE error.
 */
export function createCredentialSource(option: CredentialOption | undefined, env: Env): CredentialSource {
  if (typeof option === 'function') return { get: option }
  if (option !== undefined) return { get: async () => option }
  let chain: Promise<() => Promise<TencentCredential>> | undefined
  return {
    get() {
      chain ??= resolveChain(env)
      const c = chain
      return c
        .then((get) => get())
        .catch((e: unknown) => {
          if (chain === c) chain = undefined
          throw e
        })
    },
  }
}
