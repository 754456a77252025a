import { createHash } from 'node:crypto'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { scanForCanaries, textHasCanary } from '@kms-secrets/testkit/leak'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { copyExample, exampleSecrets, examples, runScript, startExample } from './utils/example.js'
import { makeTempDir } from './utils/fixture.js'
import { auditFor, kmsEnv, useKms } from './utils/kms.js'

const kms = useKms()
const keyId = kms.keyIds.examples
let work: string

beforeAll(() => {
  work = makeTempDir('examples')
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

const fingerprint = (v: string) => createHash('sha256').update(v).digest('hex').slice(0, 12)

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
      const server = await startExample(dir, kmsEnv(kms, kms.identities.runtime, { HOME: work }))
      try {
        const res = await fetch(`${server.url}/`)
        const body = await res.text()
        expect(res.status).toBe(200)
        expect(textHasCanary(body, [String(secrets.db.password), secrets.apiToken.trim()])).toEqual([])
        const password = String(secrets.db.password)
        expect(JSON.parse(body)).toEqual({
          ok: true,
          db: {
            host: secrets.db.host,
            port: secrets.db.port,
            user: secrets.db.user,
            passwordLength: password.length,
            passwordSha256: fingerprint(password),
          },
          apiToken: { length: secrets.apiToken.trim().length, sha256: fingerprint(secrets.apiToken.trim()) },
        })
        expect((await fetch(`${server.url}/nope`)).status).toBe(404)
      } finally {
        await server.stop()
      }
      expect(auditFor(kms, keyId, 'Decrypt').length - decrypts).toBe(1)
    })
  }
})
