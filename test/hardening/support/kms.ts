import { randomBytes } from 'node:crypto'
import { createTencentProvider, type KmsProvider } from '@kms-secrets/core'

export interface Identity {
  secretId: string
  secretKey: string
  token?: string
}

/** Fresh random credentials (nothing long-lived is written anywhere). */
export function newIdentity(name: string): Identity {
  return {
    secretId: `AKIDhard${name}${randomBytes(6).toString('hex')}`,
    secretKey: randomBytes(24).toString('base64url'),
  }
}

/** A fixed, valid local-kms KeyId for a short name (keys keep their material across restarts of one data dir). */
export function keyIdFor(name: string): string {
  const hex = Buffer.from(name).toString('hex').padEnd(12, '0').slice(0, 12)
  return `hard0000-0000-4000-8000-${hex}`
}

/** core's Tencent provider (what the runtime and the plugin use) with explicit credentials. */
export function providerFor(endpoint: string, who: Identity, timeoutMs = 10_000): KmsProvider {
  return createTencentProvider({ endpoint, credential: who, region: 'ap-guangzhou', timeoutMs })
}

/** Seed identities of most hardening files: `admin` may do everything, `runtime` may only Decrypt with `keys`. */
export function adminAndRuntime(admin: Identity, runtime: Identity, keys: string[]) {
  return [
    { ...admin, allow: ['*'], keys: ['*'] },
    { ...runtime, allow: ['Decrypt'], keys },
  ]
}

/** A seed with the one CMK `keyId` (alias `alias`) and each identity allowed its actions on it. */
export function oneKeySeed(keyId: string, alias: string, ...grants: [who: Identity, actions: string[]][]) {
  return {
    identities: grants.map(([who, allow]) => ({ ...who, allow, keys: [keyId] })),
    keys: [{ keyId, alias }],
  }
}
