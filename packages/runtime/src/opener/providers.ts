import { createCredentialSource } from '../credentials/chain.js'
import { createTencentDecrypt, type DecryptProvider } from '../kms/tencent-decrypt.js'
import type { ResolvedOptions } from './options.js'

export interface ProviderSource {
  /** The region an envelope is opened in: the configured one (TENCENTCLOUD_REGION) or the envelope's own. */
  regionFor(envelopeRegion: string): string
  /** One provider per region, created on first use (so importing the runtime makes no client and reads no creds). */
  providerFor(region: string): DecryptProvider
}

export function createProviderSource(o: ResolvedOptions): ProviderSource {
  const byRegion = new Map<string, DecryptProvider>()
  // One credential chain for every region: temporary keys are looked up once and refreshed before they expire.
  const credentials = createCredentialSource(o.credential, o.env)
  const make = (region: string): DecryptProvider => {
    const p = o.provider
    if (typeof p === 'function') return p(region)
    if (p !== undefined) return p
    return createTencentDecrypt({ region, endpoint: o.endpoint, credentials, env: o.env })
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
  }
}
