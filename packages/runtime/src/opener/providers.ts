import { createTencentProvider, type KmsProvider } from '@kms-secrets/core/open'
import type { ResolvedOptions } from './options.js'

export interface ProviderSource {
  /** The region an envelope is opened in: the configured one (TENCENTCLOUD_REGION) or the envelope's own. */
  regionFor(envelopeRegion: string): string
  /** One provider per region, created on first use (so importing the runtime makes no client and reads no creds). */
  providerFor(region: string): KmsProvider
  /** Number of providers created so far. */
  readonly size: number
}

export function createProviderSource(o: ResolvedOptions): ProviderSource {
  const byRegion = new Map<string, KmsProvider>()
  const make = (region: string): KmsProvider => {
    const p = o.provider
    if (typeof p === 'function') return p(region)
    if (p !== undefined) return p
    // Credentials: the SDK's default chain (env TENCENTCLOUD_SECRET_ID/KEY/SESSION_TOKEN, profile, CVM role, TKE).
    // The runtime already read (and trimmed) KMS_SECRETS_ENDPOINT; '' means the cloud endpoint, so core reads no env.
    return createTencentProvider({ region, endpoint: o.endpoint ?? '', timeoutMs: o.timeoutMs })
  }
  return {
    regionFor: (envelopeRegion) => o.region ?? envelopeRegion,
    providerFor(region) {
      let provider = byRegion.get(region)
      if (provider === undefined) {
        provider = make(region)
        byRegion.set(region, provider)
      }
      return provider
    },
    get size() {
      return byRegion.size
    },
  }
}
