import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LocalKms, type LocalKmsOptions, startLocalKms } from '../../src/index.js'
import type { Seed } from '../../src/seed/seed.js'

/** The identity every test server is seeded with (may do everything). */
export const admin = { secretId: 'AKIDTESTADMIN000001', secretKey: 'test-admin-secret-key' }

export const adminSeed: Seed = {
  identities: [{ ...admin, allow: ['*'], keys: ['*'] }],
}

export async function makeDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'local-kms-test-'))
}

export interface TestKms {
  kms: LocalKms
  port: number
  dataDir: string
  /** Closes the server and removes its data dir. */
  stop(): Promise<void>
}

/** Starts an in-process local-kms on 127.0.0.1, a free port and a fresh temp data dir, seeded with `admin`. */
export async function startTestKms(options: Partial<LocalKmsOptions> = {}): Promise<TestKms> {
  const dataDir = options.dataDir ?? (await makeDataDir())
  const kms = await startLocalKms({ seed: adminSeed, quiet: true, port: 0, ...options, dataDir })
  return {
    kms,
    port: kms.port,
    dataDir,
    async stop() {
      await kms.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}
