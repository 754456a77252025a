import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { scanForCanaries, textHasCanary } from '@kms-secrets/testkit/leak'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { copyExample, exampleSecrets, examples, runScript, startExample } from './utils/example.js'
import { makeTempDir } from './utils/fixture.js'
import { auditFor, kmsEnv, useKms } from './utils/kms.js'
import { expectedProof, hashLikeFields, newProofKey } from './utils/proof.js'

const kms = useKms()
const keyId = kms.keyIds.examples
let work: string

beforeAll(() => {
  work = makeTempDir('examples')
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

const proofKey = newProofKey()

describe('examples/*: `build` with the build identity, `start` with the runtime identity, GET /', () => {
  for (const name of examples) {
    test(name, async () => {
      const dir = copyExample(name, work)
      const secrets = exampleSecrets(dir)
      const seals = auditFor(kms, keyId, 'GenerateDataKey').length
      const built = await runScript(dir, 'build', kmsEnv(kms, kms.identities.build, { KMS_SECRETS_KEY_ID: keyId }))
      expect(built.code, built.out).toBe(0)
      expect(auditFor(kms, keyId, 'GenerateDataKey').length - seals).toBe(1)
      expect(textHasCanary(built.out, secrets.canaries)).toEqual([])
      expect(scanForCanaries([join(dir, 'dist')], secrets.canaries).hits).toEqual([])

      const decrypts = auditFor(kms, keyId, 'Decrypt').length
      const password = String(secrets.db.password)
      const answer = {
        ok: true,
        db: { host: secrets.db.host, port: secrets.db.port, user: secrets.db.user, passwordLength: password.length },
        apiToken: { length: secrets.apiToken.trim().length },
      }
      const server = await startExample(
        dir,
        kmsEnv(kms, kms.identities.runtime, { HOME: work, KMS_EXAMPLE_PROOF_KEY: proofKey }),
      )
      try {
        const res = await fetch(`${server.url}/`)
        const body = await res.text()
        expect(res.status).toBe(200)
        expect(textHasCanary(body, [password, secrets.apiToken.trim()])).toEqual([])
        expect(JSON.parse(body)).toEqual({
          ...answer,
          proof: expectedProof(proofKey, { 'db.password': password, apiToken: secrets.apiToken.trim() }),
        })
        expect((await fetch(`${server.url}/nope`)).status).toBe(404)
      } finally {
        await server.stop()
      }
      expect(auditFor(kms, keyId, 'Decrypt').length - decrypts).toBe(1)

      // As a user runs it (no test-only proof key): the same facts, and nothing derived from a secret value.
      const plain = await startExample(dir, kmsEnv(kms, kms.identities.runtime, { HOME: work }))
      try {
        const body = await (await fetch(`${plain.url}/`)).json()
        expect(hashLikeFields(body)).toEqual([])
        expect(body).toEqual(answer)
      } finally {
        await plain.stop()
      }
      // A key too short to stand for an HMAC key is refused at start, rather than proofs under a guessable key.
      const weak = kmsEnv(kms, kms.identities.runtime, { HOME: work, KMS_EXAMPLE_PROOF_KEY: 'abcd' })
      await expect(startExample(dir, weak)).rejects.toThrow(/KMS_EXAMPLE_PROOF_KEY \(test-only\) must be/)
    })
  }
})
