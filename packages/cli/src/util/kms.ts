import process from 'node:process'
import { createTencentProvider, type KmsProvider } from '@kms-secrets/core'

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
  return flags.region ?? process.env.TENCENTCLOUD_REGION ?? recorded
}

/** A provider per region, created on first use (credentials: the Tencent SDK's default chain). */
export function createProviderPool(flags: KmsFlags): (recordedRegion?: string) => KmsProvider {
  const pool = new Map<string, KmsProvider>()
  return (recordedRegion) => {
    const region = resolveRegion(flags, recordedRegion)
    const key = region ?? ''
    let provider = pool.get(key)
    if (!provider) {
      provider = createTencentProvider({
        ...(region === undefined ? {} : { region }),
        ...(flags.endpoint === undefined ? {} : { endpoint: flags.endpoint }),
      })
      pool.set(key, provider)
    }
    return provider
  }
}
