import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalKms } from '@kms-secrets/local-kms'
import type { TestProject } from 'vitest/node'
import type { KmsInfo } from './utils/kms.js'
import { createIdentities, createSeed, keyIds } from './utils/seed.js'

/** One local-kms for the whole e2e project, on 127.0.0.1 and a free port, with a fresh data dir and seed. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kms-secrets-e2e-kms-'))
  const identities = createIdentities()
  const kms = await startLocalKms({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    seed: createSeed(identities),
    quiet: true,
  }).catch((e: unknown) => {
    rmSync(dataDir, { recursive: true, force: true })
    throw e
  })
  const info: KmsInfo = { endpoint: kms.endpoint, dataDir, auditLog: join(dataDir, 'audit.log'), identities, keyIds }
  project.provide('kms', info)
  return async () => {
    await kms.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
