import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from '@kms-secrets/testkit/build'
import { textHasCanary } from '@kms-secrets/testkit/leak'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { buildFailure, errorCodesIn, errorText } from './utils/errors.js'
import { copyFixtureApp, fixtureCanaries, fixtureSecretFiles, makeTempDir } from './utils/fixture.js'
import { buildEnvVars, kmsEnv, useKms, withEnv } from './utils/kms.js'
import { runNode } from './utils/run.js'

const kms = useKms()
const keyId = kms.keyIds.examples
const cli = fileURLToPath(new URL('../packages/cli/bin/kms-secrets.mjs', import.meta.url))
let work: string

beforeAll(() => {
  work = makeTempDir('binding')
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Seals every fixture secret file in place with the real CLI against local-kms, as a developer would. */
function sealWithCli(app: string, context: string[]): void {
  const args = ['encrypt', ...fixtureSecretFiles, '--key-id', keyId, ...context.flatMap((c) => ['--context', c]), '-i']
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: app,
    env: kmsEnv(kms, kms.identities.build, { HOME: work }),
    encoding: 'utf8',
  })
  expect(r.stderr).toMatch(/^sealed \d+ files/)
  expect(r.status).toBe(0)
}

function options(app: string, name: string, plugin: Record<string, unknown>) {
  return {
    root: app,
    entry: 'src/server.js',
    outDir: join(work, name),
    cacheDir: join(work, `${name}-cache`),
    format: 'esm' as const,
    sourcemap: 'external' as const,
    plugin: { plaintext: 'error' as const, ...plugin },
  }
}

describe('a build configured for a context and CMK refuses files sealed for another', () => {
  test('files sealed with --context env=staging fail a build configured { app: api, env: prod }', async () => {
    const app = copyFixtureApp(join(work, 'staging'))
    const canaries = fixtureCanaries(app)
    sealWithCli(app, ['app=api', 'env=staging'])
    const o = options(app, 'staging-out', { keyId, context: { app: 'api', env: 'prod' } })
    const error = await buildFailure(withEnv(buildEnvVars(kms, undefined), () => build.esbuild(o)))
    expect(errorCodesIn(error)).toContain('ERR_ENVELOPE_CONTEXT')
    const text = errorText(error)
    expect(text).toContain('"env"')
    expect(text).not.toContain('staging')
    expect(textHasCanary(text, canaries)).toEqual([])
  })
})

describe('server start', () => {
  test('a v2 envelope whose kms.keyId was edited fails with ERR_ENVELOPE_KEY, printing no value', async () => {
    const app = copyFixtureApp(join(work, 'keyid'))
    const canaries = fixtureCanaries(app)
    sealWithCli(app, [])
    const path = join(app, fixtureSecretFiles[0]!)
    const env = JSON.parse(readFileSync(path, 'utf8'))
    expect(env.kmsSecrets).toBe(2)
    env.kms.keyId = kms.keyIds.guard
    writeFileSync(path, `${JSON.stringify(env, null, 2)}\n`)
    // No CMK configured: the build accepts any kms.keyId, so the runtime is what must notice.
    const { entryFile } = await withEnv(buildEnvVars(kms, undefined), () =>
      build.esbuild(options(app, 'keyid-out', {})),
    )
    const result = await runNode(entryFile, kmsEnv(kms, kms.identities.runtime, { HOME: work }))
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('ERR_ENVELOPE_KEY')
    expect(result.stdout).not.toContain('kmsSecretsDigest')
    expect(textHasCanary(`${result.stdout}\n${result.stderr}`, canaries)).toEqual([])
  })
})
