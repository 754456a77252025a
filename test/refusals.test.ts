import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type BuildOptions, type Bundler, build, bundlers, entryFileName } from '@kms-secrets/testkit/build'
import { scanForCanaries, textHasCanary } from '@kms-secrets/testkit/leak'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { buildFailure, errorCodesIn, errorText } from './utils/errors.js'
import { copyFixtureApp, fixtureCanaries, makeTempDir } from './utils/fixture.js'
import { auditFor, buildEnvVars, useKms, withEnv } from './utils/kms.js'

const kms = useKms()
const keyId = kms.keyIds.guard
let work: string
let app: string

beforeAll(() => {
  work = makeTempDir('refusals')
  app = copyFixtureApp(work)
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

function options(bundler: Bundler, name: string, extra: Partial<BuildOptions>): BuildOptions {
  return {
    root: app,
    entry: 'src/server.js',
    outDir: join(work, `${bundler}-${name}`),
    cacheDir: join(work, `${bundler}-${name}-cache`),
    format: 'esm',
    sourcemap: 'external',
    plugin: { keyId },
    ...extra,
  }
}

/**
 * Builds as the build identity, expects failure with `code`, and checks nothing usable or leaking was left behind
 * (no entry file, no plaintext in the output, the cache or the error text). Returns the error text.
 */
async function expectRefused(bundler: Bundler, o: BuildOptions, code: string): Promise<string> {
  const error = await buildFailure(withEnv(buildEnvVars(kms, kms.identities.build), () => build[bundler](o)))
  expect(errorCodesIn(error)).toContain(code)
  expect(existsSync(join(o.outDir, entryFileName(o.format)))).toBe(false)
  expect(scanForCanaries([o.outDir, o.cacheDir], fixtureCanaries(app)).hits).toEqual([])
  const text = errorText(error)
  expect(textHasCanary(text, fixtureCanaries(app))).toEqual([])
  return text
}

describe("plaintext: 'error' (CI) refuses a plaintext secret file, before any KMS call", () => {
  for (const bundler of bundlers) {
    test(bundler, async () => {
      const before = auditFor(kms, keyId, 'GenerateDataKey').length
      await expectRefused(
        bundler,
        options(bundler, 'plaintext', { plugin: { keyId, plaintext: 'error' } }),
        'ERR_PLUGIN_PLAINTEXT_FORBIDDEN',
      )
      expect(auditFor(kms, keyId, 'GenerateDataKey').length).toBe(before)
    })
  }
})

describe('client-bundle guard: a secret imported into a browser build fails it', () => {
  // rollup has no notion of a target platform, so it has nothing to guard on.
  const browserBuilds: [Bundler, string][] = [
    ['vite', 'client environment'],
    ['rolldown', "platform: 'browser'"],
    ['esbuild', "platform: 'browser'"],
    ['webpack', "target: 'web'"],
    ['rspack', "target: 'web'"],
  ]
  for (const [bundler, setting] of browserBuilds) {
    test(`${bundler} (${setting}), before any KMS call`, async () => {
      const before = auditFor(kms, keyId, 'GenerateDataKey').length
      const text = await expectRefused(
        bundler,
        options(bundler, 'client', { entry: 'src/client.js', platform: 'browser' }),
        'ERR_PLUGIN_CLIENT_BUNDLE',
      )
      // The message names the import chain that pulled a secret into the browser bundle.
      expect(text).toMatch(/secrets\.js/)
      expect(text).toMatch(/\.secret\.(json|yaml|env|txt)/)
      expect(auditFor(kms, keyId, 'GenerateDataKey').length).toBe(before)
    })
  }
})

describe('?raw / ?url / ?inline imports of a secret fail the server build', () => {
  // vite (SSR) has all three; esbuild resolves the query in its own onResolve, so ?raw proves its path.
  const cases: [Bundler, string][] = [
    ['vite', 'raw'],
    ['vite', 'url'],
    ['vite', 'inline'],
    ['esbuild', 'raw'],
  ]
  for (const [bundler, query] of cases) {
    test(`${bundler}: ?${query}`, async () => {
      const entry = `src/${query}-import.js`
      writeFileSync(
        join(app, entry),
        `import leak from '../config/db.secret.json?${query}'\nprocess.stdout.write(String(leak))\n`,
      )
      const text = await expectRefused(bundler, options(bundler, `query-${query}`, { entry }), 'ERR_PLUGIN_RAW_IMPORT')
      // esbuild refuses in onResolve, where the importer is known: its message names it.
      if (bundler === 'esbuild') expect(text).toContain(`${query}-import.js`)
    })
  }
})
