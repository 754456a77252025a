import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { type Bundler, build, type OutputFormat } from '@kms-secrets/testkit/build'
import { scanForCanaries } from '@kms-secrets/testkit/leak'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { makeTempDir, writeManySecretsApp } from './utils/fixture.js'
import { auditFor, buildEnvVars, kmsEnv, useKms, withEnv } from './utils/kms.js'
import { parseDigest, runNode } from './utils/run.js'

const kms = useKms()
const keyId = kms.keyIds.audit
const secretFiles = 12
let work: string
let many: ReturnType<typeof writeManySecretsApp>

beforeAll(() => {
  work = makeTempDir('audit')
  many = writeManySecretsApp(work, secretFiles)
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

const cases: [Bundler, OutputFormat][] = [
  ['rollup', 'esm'],
  ['webpack', 'cjs'],
]

for (const [bundler, format] of cases) {
  test(`${bundler} ${format}: ${secretFiles} secret imports → one GenerateDataKey per build, one Decrypt per process start`, async () => {
    const outDir = join(work, `${bundler}-${format}`)
    const options = {
      root: many.appDir,
      entry: 'src/server.js',
      outDir,
      cacheDir: join(work, `${bundler}-${format}-cache`),
      format,
      sourcemap: 'off' as const,
      plugin: { keyId },
    }
    const seals = auditFor(kms, keyId, 'GenerateDataKey').length
    const { entryFile } = await withEnv(buildEnvVars(kms, kms.identities.build), () => build[bundler](options))
    expect(auditFor(kms, keyId, 'GenerateDataKey').length - seals).toBe(1)
    expect(scanForCanaries([outDir], many.canaries).hits).toEqual([])

    for (let start = 1; start <= 2; start++) {
      const before = auditFor(kms, keyId, 'Decrypt')
      const result = await runNode(entryFile, kmsEnv(kms, kms.identities.runtime, { HOME: work }))
      expect(parseDigest(result)).toEqual(many.expected)
      const after = auditFor(kms, keyId, 'Decrypt')
      expect(after.length - before.length).toBe(1)
      expect(after.at(-1)).toMatchObject({ secretId: kms.identities.runtime.secretId, code: 'OK' })
    }
  })
}
