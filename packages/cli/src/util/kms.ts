import { createTencentProvider, type KmsProvider, type TencentProviderOptions } from '@kms-secrets/core'
import { hasOwnEnv, io } from './io.js'

/** Global KMS flags (`--endpoint`, `--region`); unset → env KMS_SECRETS_ENDPOINT / TENCENTCLOUD_REGION (core). */
export interface KmsFlags {
  endpoint?: string
  region?: string
}

/**
 * The region for a call: the flag, then env TENCENTCLOUD_REGION, then the region recorded in the envelope (when
 * opening one), else core's default. The same precedence as the runtime.
 */
export function resolveRegion(flags: KmsFlags, recorded?: string): string | undefined {
  return flags.region ?? io().env.TENCENTCLOUD_REGION ?? recorded
}

/**
 * Credentials of a run with its own environment (in-process): TENCENTCLOUD_SECRET_ID/_KEY (+ _SESSION_TOKEN) of that
 * environment only, never the process's. The bin (process env) uses the Tencent SDK's default chain (env, profile
 * file, CVM/TKE role).
 */
function credentialOfOwnEnv(env: Record<string, string | undefined>) {
  return {
    async getCredential() {
      const token = env.TENCENTCLOUD_SESSION_TOKEN
      return {
        secretId: env.TENCENTCLOUD_SECRET_ID ?? '',
        secretKey: env.TENCENTCLOUD_SECRET_KEY ?? '',
        ...(token ? { token } : {}),
      }
    },
  }
}

/** Options of a Tencent KMS client for `flags` in `region`: endpoint, environment and credentials of this run. */
export function tencentOptions(flags: KmsFlags, region: string | undefined): TencentProviderOptions {
  const env = io().env
  return {
    ...(region === undefined ? {} : { region }),
    ...(flags.endpoint === undefined ? {} : { endpoint: flags.endpoint }),
    env,
    ...(hasOwnEnv() ? { credential: credentialOfOwnEnv(env) } : {}),
  }
}

/** A provider per region, created on first use (credentials: the Tencent SDK's default chain). */
export function createProviderPool(flags: KmsFlags): (recordedRegion?: string) => KmsProvider {
  const pool = new Map<string, KmsProvider>()
  return (recordedRegion) => {
    const region = resolveRegion(flags, recordedRegion)
    const key = region ?? ''
    let provider = pool.get(key)
    if (!provider) {
      provider = createTencentProvider(tencentOptions(flags, region))
      pool.set(key, provider)
    }
    return provider
  }
}
