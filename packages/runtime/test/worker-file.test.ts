import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createFakeKms, type FakeKms } from '@kms-secrets/testkit/fake-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadEsbuild } from './support/esbuild.js'
import { sealOne } from './support/seal.js'
import { startTencentServer, type TencentServer } from './support/tencent-server.js'

const esbuild = loadEsbuild()
const pkgDir = resolve(import.meta.dirname, '..')
// Holds only the test's own bundle (no secret); the runtime itself writes nothing.
const dir = mkdtempSync(join(tmpdir(), 'kms-secrets-runtime-bundle-'))

/**
 * A user's CommonJS server bundle that INLINES the runtime (esbuild format cjs, from the ESM entry, so
 * import.meta.url is empty): dist/kms-secrets-worker.* is not next to the bundle, so the runtime must find the installed
 * package's worker through `@kms-secrets/runtime/worker`, resolved from the working directory.
 */
describe.skipIf(esbuild === undefined)('openSecretSync inside a bundled CommonJS app', () => {
  let kms: FakeKms
  let server: TencentServer
  let bundle: string
  let envelope: unknown
  let value: unknown

  beforeAll(async () => {
    kms = createFakeKms()
    server = await startTencentServer(kms)
    ;[envelope, value] = await sealOne(kms, 'json')
    const entry = join(dir, 'server.mjs')
    writeFileSync(
      entry,
      `import { openSecretSync } from ${JSON.stringify(join(pkgDir, 'dist/index.mjs'))}
const envelope = JSON.parse(process.env.ENVELOPE)
try { console.log(JSON.stringify({ value: openSecretSync(envelope, { file: 'db.secret.json' }) })) }
catch (e) { console.log(JSON.stringify({ code: e.code })) }
`,
    )
    const out = await esbuild!.build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
      logLevel: 'silent',
    })
    bundle = join(dir, 'server.cjs')
    writeFileSync(bundle, out.outputFiles[0]!.contents)
  })
  afterAll(async () => {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const run = (cwd: string) =>
    new Promise<Record<string, unknown>>((done, fail) => {
      const env = {
        PATH: process.env.PATH ?? '',
        ENVELOPE: JSON.stringify(envelope),
        TENCENTCLOUD_SECRET_ID: 'AKIDtest',
        TENCENTCLOUD_SECRET_KEY: 'test-secret-key',
        KMS_SECRETS_ENDPOINT: server.endpoint,
      }
      execFile(process.execPath, [bundle], { cwd, env, timeout: 30_000 }, (err, stdout, stderr) => {
        if (err) fail(new Error(`exit ${err.code}: ${stderr}`))
        else done(JSON.parse(stdout) as Record<string, unknown>)
      })
    })

  it('finds the installed worker from the app directory and opens the value', async () => {
    // The package directory stands in for an app with @kms-secrets/runtime installed (self-reference by name).
    await expect(run(pkgDir)).resolves.toEqual({ value })
  })

  it('fails with ERR_RUNTIME_WORKER (not a hang) when no worker can be found', async () => {
    await expect(run(dir)).resolves.toEqual({ code: 'ERR_RUNTIME_WORKER' })
  })
})
