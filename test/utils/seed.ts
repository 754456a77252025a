import { randomBytes } from 'node:crypto'
import type { Seed } from '@kms-secrets/local-kms'

/** Fixed-KeyId CMKs, one per test file that counts audit-log lines, so parallel test files never share a key. */
export const keyIds = {
  vite: 'e2e00000-0000-4000-8000-000000000001',
  rollup: 'e2e00000-0000-4000-8000-000000000002',
  rolldown: 'e2e00000-0000-4000-8000-000000000003',
  esbuild: 'e2e00000-0000-4000-8000-000000000004',
  webpack: 'e2e00000-0000-4000-8000-000000000005',
  rspack: 'e2e00000-0000-4000-8000-000000000006',
  sealed: 'e2e00000-0000-4000-8000-000000000010',
  audit: 'e2e00000-0000-4000-8000-000000000011',
  dev: 'e2e00000-0000-4000-8000-000000000012',
  guard: 'e2e00000-0000-4000-8000-000000000013',
  examples: 'e2e00000-0000-4000-8000-000000000014',
  bundleAll: 'e2e00000-0000-4000-8000-000000000015',
  hosts: 'e2e00000-0000-4000-8000-000000000016',
  workerd: 'e2e00000-0000-4000-8000-000000000017',
  /** test/cloud-addon.test.ts: bundles with and without `@kms-secrets/runtime/cloud`. */
  cloud: 'e2e00000-0000-4000-8000-000000000018',
  buildPhase: 'e2e00000-0000-4000-8000-000000000030',
  nuxt: 'e2e00000-0000-4000-8000-000000000031',
  /** Nuxt builds that must fail, run concurrently with the ones counting calls on `nuxt`. */
  nuxtProbe: 'e2e00000-0000-4000-8000-000000000041',
  next: 'e2e00000-0000-4000-8000-000000000032',
  sveltekit: 'e2e00000-0000-4000-8000-000000000050',
  astro: 'e2e00000-0000-4000-8000-000000000051',
  /** Project keys (issue 12, test/project-key.test.ts): the CMKs wrapping them, and one for old-style files. */
  projectSym: 'e2e00000-0000-4000-8000-000000000060',
  projectRsa: 'e2e00000-0000-4000-8000-000000000061',
  projectSm2: 'e2e00000-0000-4000-8000-000000000062',
  projectOld: 'e2e00000-0000-4000-8000-000000000063',
  /** The README's project-key workflow (test/readme-commands.test.ts). */
  readmeProject: 'e2e00000-0000-4000-8000-000000000064',
  /** A key the build and runtime identities may not use at all. */
  forbidden: 'e2e00000-0000-4000-8000-000000000099',
} as const

export type KeyName = keyof typeof keyIds

/** KeyUsage of the asymmetric CMKs (every other key is ENCRYPT_DECRYPT). */
const keyUsages: Partial<Record<KeyName, 'ASYMMETRIC_DECRYPT_RSA_2048' | 'ASYMMETRIC_DECRYPT_SM2'>> = {
  projectRsa: 'ASYMMETRIC_DECRYPT_RSA_2048',
  projectSm2: 'ASYMMETRIC_DECRYPT_SM2',
}

/** What the README's CAM policies grant (without the `kms:` prefix); the test identities get exactly this. */
export const policyActions = {
  sealing: ['GenerateDataKey', 'Encrypt'],
  runtime: ['Decrypt'],
} as const

export interface Identity {
  secretId: string
  secretKey: string
}

export interface Identities {
  /** Everything on every key. */
  admin: Identity
  /** The build machine: may seal (GenerateDataKey, Encrypt), may not Decrypt — the README's sealing policy. */
  build: Identity
  /** The server: may only Decrypt — the README's runtime policy. */
  runtime: Identity
  /** A developer running the vite dev server: seals and opens in one process. */
  dev: Identity
  /** `kms-secrets init` on the symmetric project CMK: DescribeKey + Encrypt. */
  projectInit: Identity
  /** `kms-secrets init` on the asymmetric project CMKs: GetPublicKey only. */
  projectInitAsym: Identity
  /** The server of an RSA / SM2 project key: only AsymmetricRsaDecrypt / AsymmetricSm2Decrypt. */
  runtimeRsa: Identity
  runtimeSm2: Identity
}

function identity(name: string): Identity {
  return {
    secretId: `AKIDe2e${name}${randomBytes(8).toString('hex')}`,
    secretKey: randomBytes(24).toString('base64url'),
  }
}

/** Fresh random credentials for every run: nothing long-lived is ever written anywhere. */
export function createIdentities(): Identities {
  return {
    admin: identity('Admin'),
    build: identity('Build'),
    runtime: identity('Runtime'),
    dev: identity('Dev'),
    projectInit: identity('ProjectInit'),
    projectInitAsym: identity('ProjectInitAsym'),
    runtimeRsa: identity('RuntimeRsa'),
    runtimeSm2: identity('RuntimeSm2'),
  }
}

/** The seed local-kms applies at start (format: packages/local-kms README / the contract). */
export function createSeed(ids: Identities): Seed {
  const appKeys = Object.entries(keyIds)
    .filter(([name]) => name !== 'forbidden' && !(name in keyUsages))
    .map(([, id]) => id)
  return {
    identities: [
      { ...ids.admin, allow: ['*'], keys: ['*'] },
      { ...ids.build, allow: [...policyActions.sealing], keys: appKeys },
      { ...ids.runtime, allow: [...policyActions.runtime], keys: appKeys },
      {
        ...ids.dev,
        allow: ['GenerateDataKey', 'Decrypt'],
        keys: [keyIds.dev, keyIds.nuxt, keyIds.next, keyIds.sveltekit, keyIds.astro],
      },
      { ...ids.projectInit, allow: ['DescribeKey', 'Encrypt'], keys: [keyIds.projectSym, keyIds.readmeProject] },
      { ...ids.projectInitAsym, allow: ['GetPublicKey'], keys: [keyIds.projectRsa, keyIds.projectSm2] },
      { ...ids.runtimeRsa, allow: ['AsymmetricRsaDecrypt'], keys: [keyIds.projectRsa] },
      { ...ids.runtimeSm2, allow: ['AsymmetricSm2Decrypt'], keys: [keyIds.projectSm2] },
    ],
    keys: Object.entries(keyIds).map(([name, keyId]) => {
      const keyUsage = keyUsages[name as KeyName]
      return { keyId, alias: `e2e-${name}`, description: `e2e ${name}`, ...(keyUsage ? { keyUsage } : {}) }
    }),
  }
}
