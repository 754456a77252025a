import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Bundler, build, type OutputFormat } from '@kms-secrets/testkit/build'
import { scanForCanaries, textHasCanary } from '@kms-secrets/testkit/leak'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { copyFixtureApp, expectedDigest, fixtureCanaries, makeTempDir } from './utils/fixture.js'
import { auditFor, buildEnvVars, kmsEnv, useKms, withEnv } from './utils/kms.js'
import { parseDigest, runNode } from './utils/run.js'

const kms = useKms()
const keyId = kms.keyIds.buildPhase
let work: string
let app: string
let canaries: string[]

/**
 * A server module as a framework's build evaluates it (SvelteKit analysis, Next's page-data collection): secrets
 * imported statically, named exports, nested reads and destructuring at top level. `READ_VALUE` makes it use a value,
 * as a prerendered page would.
 */
const routeModule = `import db, { host, port } from '../config/db.secret.json'
import settings from '../config/settings.secret.yaml'
import token from '../config/token.secret.txt'

export const config = { host, port, key: settings.nested.apiSecret, first: settings.list[0] }
const { user } = db
export const tls = token
process.stdout.write('module evaluated\\n')
if (process.env.READ_VALUE) process.stdout.write(\`\${user}:\${db.password}\\n\`)
`

beforeAll(() => {
  work = makeTempDir('build-phase')
  app = copyFixtureApp(work)
  canaries = fixtureCanaries(app)
  writeFileSync(join(app, 'src', 'route.js'), routeModule)
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

const cases: [Bundler, OutputFormat][] = [
  ['vite', 'esm'],
  ['esbuild', 'cjs'],
]

describe('KMS_SECRETS_PHASE=build: evaluating server modules makes no KMS call', () => {
  for (const [bundler, format] of cases) {
    test(`${bundler} ${format} (${format === 'cjs' ? 'openSecretSync' : 'openSecret'})`, async () => {
      const outDir = join(work, `${bundler}-${format}`)
      const common = { root: app, outDir, cacheDir: join(outDir, '.cache'), format, sourcemap: 'off' as const }
      const route = await withEnv(buildEnvVars(kms, kms.identities.build), () =>
        build[bundler]({ ...common, entry: 'src/route.js', plugin: { keyId } }),
      )
      const decrypts = () => auditFor(kms, keyId, 'Decrypt').length
      const before = decrypts()

      // No credentials at all: loads, named exports and nested reads evaluate.
      const bare = await runNode(route.entryFile, kmsEnv(kms, undefined, { HOME: work, KMS_SECRETS_PHASE: 'build' }))
      expect(bare.stderr).toBe('')
      expect(bare.code).toBe(0)
      expect(bare.stdout).toBe('module evaluated\n')
      // Even an identity that may Decrypt is not used.
      const runtimeId = kmsEnv(kms, kms.identities.runtime, { HOME: work, KMS_SECRETS_PHASE: 'build' })
      expect((await runNode(route.entryFile, runtimeId)).code).toBe(0)

      // Using a value fails with the typed error, and shows no plaintext.
      const read = await runNode(route.entryFile, { ...runtimeId, READ_VALUE: '1' })
      expect(read.code).not.toBe(0)
      expect(read.stderr).toContain('ERR_RUNTIME_BUILD_PHASE')
      expect(read.stderr).toContain('config/db.secret.json')
      expect(textHasCanary(read.stdout + read.stderr, canaries)).toEqual([])
      expect(decrypts()).toBe(before)
      expect(scanForCanaries([outDir], canaries).hits).toEqual([])

      // Outside the build phase the same kind of bundle opens with one Decrypt.
      const server = await withEnv(buildEnvVars(kms, kms.identities.build), () =>
        build[bundler]({ ...common, outDir: `${outDir}-server`, entry: 'src/server.js', plugin: { keyId } }),
      )
      const run = await runNode(server.entryFile, kmsEnv(kms, kms.identities.runtime, { HOME: work }))
      expect(parseDigest(run)).toEqual(expectedDigest(app))
      expect(decrypts() - before).toBe(1)
    })
  }
})
