import { createFakeKms as createTestkitKms, type FakeKms, type FakeKmsOptions } from '@kms-secrets/testkit/fake-kms'

export { createForbiddenKms, type FakeKms } from '@kms-secrets/testkit/fake-kms'

/**
 * The testkit's fake KMS as the plugin's tests use it: a fixed seed (stable snapshots), keys `key-a`/`key-b`, and a
 * canonical EncryptionContext carrying `"kms-secrets": "1"` required on every call.
 */
export function createFakeKms(options: FakeKmsOptions = {}): FakeKms {
  return createTestkitKms({
    seed: 'unplugin-test',
    keys: ['key-a', 'key-b'],
    region: 'ap-test',
    context: 'canonical',
    ...options,
  })
}

/** Counter-based 32-byte v2 salts (for stable snapshots only; production salts are random). */
export function counterSalt(): () => Uint8Array {
  let n = 0
  return () => {
    const salt = new Uint8Array(32)
    new DataView(salt.buffer).setUint32(28, ++n)
    return salt
  }
}

/** Counter IVs for reproducible sealing (tests only; production IVs are random). */
export function counterIv(): () => Uint8Array {
  let n = 0
  return () => {
    const iv = new Uint8Array(12)
    new DataView(iv.buffer).setUint32(8, ++n)
    return iv
  }
}
