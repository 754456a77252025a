import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createCredentialSource } from '../src/credentials/chain.js'
import { setCloudLoader } from '../src/credentials/cloud-addon.js'
import { sealOne } from './support/seal.js'
import { useTencentServer } from './support/tencent-server.js'

/**
 * The lean runtime and the add-on `@kms-secrets/runtime/cloud` (issue 11). This file never imports the add-on: the
 * loader stands in for where it would come from (node_modules), failing as in a bundle deployed without them, or
 * importing it. The slot is removed after each test, so every test starts with the add-on absent.
 */
const slot = Symbol.for('@kms-secrets/runtime/cloud@1')
let metadata: Server
let metadataUrl: string
let metadataHits = 0

beforeAll(async () => {
  metadata = createServer((req, res) => {
    metadataHits++
    if (req.url === '/latest/meta-data/cam/security-credentials/') return void res.end('kms-role\n')
    const expiredTime = Math.floor(Date.now() / 1000) + 3600
    res.end(
      JSON.stringify({ TmpSecretId: 'AKIDcvm', TmpSecretKey: 'cvm-key', ExpiredTime: expiredTime, Code: 'Success' }),
    )
  })
  await new Promise<void>((r) => metadata.listen(0, '127.0.0.1', r))
  metadataUrl = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}/latest/meta-data/`
})
afterAll(async () => {
  metadata.closeAllConnections()
  await new Promise((r) => metadata.close(r))
})
afterEach(() => {
  delete (globalThis as { [slot]?: unknown })[slot]
  vi.restoreAllMocks()
})

/** A loader that counts its calls: `fail` as where no node_modules holds the add-on, else importing it. */
function loader(fail: boolean) {
  const calls = { count: 0 }
  setCloudLoader(() => {
    calls.count++
    if (fail)
      throw Object.assign(new Error("Cannot find package '@kms-secrets/runtime'"), { code: 'ERR_MODULE_NOT_FOUND' })
    return import('../src/cloud.js')
  })
  return calls
}

const cvm = () => ({ KMS_SECRETS_METADATA_URL: metadataUrl, HOME: '/nonexistent-kms-secrets-home' })

describe('the add-on loads only when the environment has no credentials', () => {
  it.each([
    ['TENCENTCLOUD_SECRET_ID', { TENCENTCLOUD_SECRET_ID: 'AKIDenv', TENCENTCLOUD_SECRET_KEY: 'env-key' }],
    ["SCF's TENCENTCLOUD_SECRETID", { TENCENTCLOUD_SECRETID: 'AKIDscf', TENCENTCLOUD_SECRETKEY: 'scf-key' }],
  ])('%s present: never loaded, the metadata service never asked', async (_name, vars) => {
    const calls = loader(false)
    const source = createCredentialSource(undefined, { ...cvm(), ...vars })
    const hits = metadataHits
    expect((await source.get()).secretId).toMatch(/^AKID(env|scf)$/)
    await source.get()
    expect(calls.count).toBe(0)
    expect(metadataHits).toBe(hits)
    expect(slot in globalThis).toBe(false)
  })

  it('none in the environment: loaded once, then its CVM role answers (order: env, SCF env, then the add-on)', async () => {
    const calls = loader(false)
    const source = createCredentialSource(undefined, cvm())
    expect(await source.get()).toMatchObject({ secretId: 'AKIDcvm', secretKey: 'cvm-key' })
    await source.get()
    expect(calls.count).toBe(1)
  })

  it('already registered (a static import in the app): used without calling the loader', async () => {
    await import('../src/cloud.js')
    // A module is evaluated once per process: register again as a second import of another copy would.
    const { registerCloud } = await import('../src/credentials/cloud-addon.js')
    const { cloudCredentials } = await import('../src/credentials/cloud-sources.js')
    const { proxyTunnel } = await import('../src/kms/proxy-tunnel.js')
    registerCloud({ credentials: cloudCredentials, tunnel: proxyTunnel })
    const calls = loader(true)
    expect(await createCredentialSource(undefined, cvm()).get()).toMatchObject({ secretId: 'AKIDcvm' })
    expect(calls.count).toBe(0)
  })
})

describe('the add-on cannot be loaded', () => {
  it('no credentials: ONE ERR_KMS_CREDENTIALS naming the sources tried and the fix; nothing printed', async () => {
    const spies = (['error', 'warn', 'log'] as const).map((m) => vi.spyOn(console, m))
    const write = vi.spyOn(process.stderr, 'write')
    const calls = loader(true)
    const hits = metadataHits
    const error = await createCredentialSource(undefined, { ...cvm(), TENCENTCLOUD_SECRETID: 'AKIDhalf' })
      .get()
      .then(
        () => undefined,
        (e: unknown) => e as Error & { code: string; hint: string },
      )
    expect(error).toMatchObject({ name: 'KmsSecretsError', code: 'ERR_KMS_CREDENTIALS' })
    expect(error?.message).toContain('TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY not set')
    expect(error?.message).toContain('TENCENTCLOUD_SECRETKEY is not set (only TENCENTCLOUD_SECRETID)')
    expect(error?.message).toContain('profile/CVM role/TKE OIDC: not in this bundle')
    expect(error?.message).not.toContain('AKIDhalf')
    for (const fix of ['TENCENTCLOUD_SECRET_ID', "import '@kms-secrets/runtime/cloud'", 'cloud: true', 'node_modules/'])
      expect(error?.hint).toContain(fix)
    // The loader's own failure is not what the user sees, and the CVM role was never asked.
    expect(error?.message).not.toContain('Cannot find package')
    expect(error?.cause).toBeUndefined()
    expect(metadataHits).toBe(hits)
    expect(calls.count).toBe(1)
    for (const s of [...spies, write]) expect(s).not.toHaveBeenCalled()
  })

  it('a failed lookup is tried afresh: env credentials set later are found', async () => {
    loader(true)
    const env: Record<string, string | undefined> = cvm()
    const source = createCredentialSource(undefined, env)
    await expect(source.get()).rejects.toMatchObject({ code: 'ERR_KMS_CREDENTIALS' })
    env.TENCENTCLOUD_SECRET_ID = 'AKIDlater'
    env.TENCENTCLOUD_SECRET_KEY = 'later-key'
    expect(await source.get()).toMatchObject({ secretId: 'AKIDlater' })
  })
})

describe('the real loader: the installed dist loads the add-on by package self-reference', () => {
  const t = useTencentServer()
  const dir = mkdtempSync(join(tmpdir(), 'kms-secrets-cloud-loader-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const dist = (f: string) => JSON.stringify(resolve(import.meta.dirname, '../dist', f))
  const body = `const opener = createSecretOpener({ retry: { maxAttempts: 1 } })
opener.open(JSON.parse(process.env.TEST_ENVELOPE), { file: 'db.secret.json' }).then(
  (value) => console.log(JSON.stringify({ ok: true, value })),
  (e) => console.log(JSON.stringify({ ok: false, code: e.code, message: e.message })),
)
`

  it.each([
    ['ESM (import())', 'child.mjs', `import { createSecretOpener } from ${dist('index.mjs')}\n${body}`],
    ['CommonJS (require)', 'child.cjs', `const { createSecretOpener } = require(${dist('index.cjs')})\n${body}`],
  ])('%s: no env credentials, the CVM role from the loaded add-on opens', async (_kind, file, code) => {
    writeFileSync(join(dir, file), code)
    const [envelope, value] = await sealOne(t.kms, 'json')
    const hits = metadataHits
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(dir, file)], {
      env: {
        PATH: process.env.PATH,
        ...cvm(),
        KMS_SECRETS_ENDPOINT: t.server.endpoint,
        TEST_ENVELOPE: JSON.stringify(envelope),
      },
    })
    expect(JSON.parse(stdout.trim())).toEqual({ ok: true, value })
    expect(stderr).toBe('')
    expect(metadataHits).toBeGreaterThan(hits)
  })
})
