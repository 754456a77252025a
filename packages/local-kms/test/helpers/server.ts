import { type TestKms as Started, startTestKms as startKms } from '@kms-secrets/testkit/local-kms'
import { type LocalKmsOptions, startLocalKms } from '../../src/index.js'
import type { Seed } from '../../src/seed/seed.js'

/** The identity every test server is seeded with (may do everything). */
export const admin = { secretId: 'AKIDTESTADMIN000001', secretKey: 'test-admin-secret-key' }

export const adminSeed: Seed = {
  identities: [{ ...admin, allow: ['*'], keys: ['*'] }],
}

export { makeDataDir } from '@kms-secrets/testkit/local-kms'

export interface TestKms extends Started {
  /** Closes the server and removes its data dir. */
  stop(): Promise<void>
}

/** An in-process local-kms from this package's sources (127.0.0.1, free port, fresh temp data dir), seeded with `admin`. */
export async function startTestKms(options: Partial<LocalKmsOptions> = {}): Promise<TestKms> {
  const kms = await startKms({ start: startLocalKms, prefix: 'local-kms-test', seed: adminSeed, ...options })
  return { ...kms, stop: kms.dispose }
}
