import { startTestKms, type TestKms } from '@kms-secrets/testkit/local-kms'

export type { TestKms }

export const keyA = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa'
export const keyB = 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb'
export const keyC = 'cccccccc-3333-4333-8333-cccccccccccc'
/** Asymmetric CMKs for project keys (issue 12). */
export const keyRsa = 'dddddddd-4444-4444-8444-dddddddddddd'
export const keySm2 = 'eeeeeeee-5555-4555-8555-eeeeeeeeeeee'

/** admin may do everything; sealer only what sealing/rotation needs; runtime only Decrypt. */
export const identities = {
  admin: { secretId: 'AKIDcliAdmin0001', secretKey: 'cli-admin-secret-key', allow: ['*'], keys: ['*'] },
  sealer: {
    secretId: 'AKIDcliSealer001',
    secretKey: 'cli-sealer-secret-key',
    allow: ['GenerateDataKey', 'Encrypt', 'ReEncrypt', 'DescribeKey'],
    keys: ['*'],
  },
  runtime: { secretId: 'AKIDcliRuntime01', secretKey: 'cli-runtime-secret-key', allow: ['Decrypt'], keys: ['*'] },
  /** `init` on an asymmetric CMK needs GetPublicKey only. */
  initAsym: { secretId: 'AKIDcliInitAsym1', secretKey: 'cli-init-asym-key', allow: ['GetPublicKey'], keys: ['*'] },
  runtimeRsa: {
    secretId: 'AKIDcliRuntimeRsa',
    secretKey: 'cli-runtime-rsa-key',
    allow: ['AsymmetricRsaDecrypt'],
    keys: ['*'],
  },
  runtimeSm2: {
    secretId: 'AKIDcliRuntimeSm2',
    secretKey: 'cli-runtime-sm2-key',
    allow: ['AsymmetricSm2Decrypt'],
    keys: ['*'],
  },
} as const

export type IdentityName = keyof typeof identities

/** A real local-kms on 127.0.0.1, any free port, fresh data dir; three symmetric keys, an RSA and an SM2 one. */
export function startCliKms(): Promise<TestKms> {
  return startTestKms({
    prefix: 'cli-test-kms',
    seed: {
      identities: Object.values(identities).map((i) => ({ ...i, allow: [...i.allow], keys: [...i.keys] })),
      keys: [
        { keyId: keyA, alias: 'cli-test-a' },
        { keyId: keyB, alias: 'cli-test-b' },
        { keyId: keyC, alias: 'cli-test-c' },
        { keyId: keyRsa, alias: 'cli-test-rsa', keyUsage: 'ASYMMETRIC_DECRYPT_RSA_2048' },
        { keyId: keySm2, alias: 'cli-test-sm2', keyUsage: 'ASYMMETRIC_DECRYPT_SM2' },
      ],
    },
  })
}
