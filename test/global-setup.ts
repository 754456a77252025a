import { startTestKms } from '@kms-secrets/testkit/local-kms'
import type { TestProject } from 'vitest/node'
import type { KmsInfo } from './utils/kms.js'
import { createIdentities, createSeed, keyIds } from './utils/seed.js'

/** One local-kms for the whole e2e project, on 127.0.0.1 and a free port, with a fresh data dir and seed. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const identities = createIdentities()
  const kms = await startTestKms({ prefix: 'kms-secrets-e2e-kms', seed: createSeed(identities) })
  const info: KmsInfo = { endpoint: kms.endpoint, dataDir: kms.dataDir, auditLog: kms.auditLog, identities, keyIds }
  project.provide('kms', info)
  return () => kms.dispose()
}
