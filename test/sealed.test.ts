import { readFileSync, rmSync } from 'node:fs'
import { join, relative } from 'node:path'
import { type Bundler, build, bundlers } from '@kms-secrets/testkit/build'
import { scanForCanaries, walkFiles } from '@kms-secrets/testkit/leak'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { copyFixtureApp, expectedDigest, fixtureCanaries, fixtureSecretFiles, makeTempDir } from './utils/fixture.js'
import { auditFor, buildEnvVars, kmsEnv, useKms, withEnv } from './utils/kms.js'
import { parseDigest, runNode } from './utils/run.js'
import { sealFilesInPlace } from './utils/seal.js'

const kms = useKms()
const keyId = kms.keyIds.sealed
let work: string
let app: string
let expected: Record<string, unknown>
let canaries: string[]

beforeAll(async () => {
  work = makeTempDir('sealed')
  app = copyFixtureApp(work)
  expected = expectedDigest(app)
  canaries = fixtureCanaries(app)
  await sealFilesInPlace(app, fixtureSecretFiles, { endpoint: kms.endpoint, keyId, identity: kms.identities.build })
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** No credentials at all, and an endpoint where nothing listens: any KMS call would fail the build. */
const noCredentials = { ...buildEnvVars(kms, undefined), KMS_SECRETS_ENDPOINT: 'http://127.0.0.1:9' }

/** The harness's own reports (they name the out dir), not bundler output. */
const reports = new Set(['metafile.json', 'stats.json'])

/** Every output file by relative path, with its bytes as text (outputs are text; a diff shows what differs). */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    walkFiles(dir)
      .map((f) => relative(dir, f))
      .filter((f) => !reports.has(f))
      .map((f) => [f, readFileSync(join(dir, f), 'latin1')] as const),
  )
}

async function buildSealed(bundler: Bundler, name: string): Promise<{ outDir: string; entryFile: string }> {
  const outDir = join(work, `${bundler}-${name}`)
  const options = {
    root: app,
    entry: 'src/server.js',
    outDir,
    cacheDir: join(work, `${bundler}-${name}-cache`),
    format: 'esm' as const,
    sourcemap: 'external' as const,
    plugin: { plaintext: 'error' as const },
  }
  const { entryFile } = await withEnv(noCredentials, () => build[bundler](options))
  return { outDir, entryFile }
}

describe('sealed on disk: built with no credentials, no KMS call, byte-identical output', () => {
  test('the sealed files hold no plaintext', () => {
    expect(scanForCanaries([join(app, 'config')], canaries).hits).toEqual([])
  })

  for (const bundler of bundlers) {
    test(bundler, async () => {
      const kmsCallsBefore = auditFor(kms, keyId).length
      const first = await buildSealed(bundler, 'a')
      const second = await buildSealed(bundler, 'b')
      expect(auditFor(kms, keyId).length).toBe(kmsCallsBefore)
      expect(snapshot(second.outDir)).toEqual(snapshot(first.outDir))
      expect(scanForCanaries([first.outDir], canaries).hits).toEqual([])

      const decrypts = auditFor(kms, keyId, 'Decrypt').length
      const result = await runNode(first.entryFile, kmsEnv(kms, kms.identities.runtime, { HOME: work }))
      expect(parseDigest(result)).toEqual(expected)
      expect(auditFor(kms, keyId, 'Decrypt').length - decrypts).toBe(1)
    })
  }
})
