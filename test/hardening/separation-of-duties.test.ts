import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isEnvelopeText } from '@kms-secrets/core'
import { createSecretOpener } from '@kms-secrets/runtime'
import { newCanary, textHasCanary } from '@kms-secrets/testkit/leak'
import { type AuditEntry, kmsEnv, readAudit, startTestKms, type TestKms } from '@kms-secrets/testkit/local-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { digestEntry, expectedDigest } from './support/build.js'
import { createFigures } from './support/figures.js'
import { type Identity, keyIdFor, newIdentity, providerFor } from './support/kms.js'
import { sealJson } from './support/seal.js'
import { cliBin, makeWorkDir, type RunResult, runNode } from './support/work.js'

/**
 * The sensitive-data workflow of DESIGN.md, played end to end with real binaries and real credentials:
 * the OWNER seals (Encrypt/GenerateDataKey on the app key only), CI builds with NO credentials, the SERVER decrypts
 * (Decrypt on the app key only). Then every other combination is tried and must fail with its code.
 */
const figures = createFigures('separation-of-duties')
const appKey = keyIdFor('sodApp')
const otherKey = keyIdFor('sodOther')
const owner = newIdentity('Owner')
const server = newIdentity('Server')
const serverB = newIdentity('ServerB')
const admin = newIdentity('Admin')
const roles = new Map<string, string>([
  [owner.secretId, 'owner'],
  [server.secretId, 'server'],
  [serverB.secretId, 'server-of-key-B'],
  [admin.secretId, 'admin'],
])
const canary = newCanary()
const value = { host: 'db.internal', user: 'app', password: canary }
const work = makeWorkDir('sod')
const app = join(work.dir, 'app')
const emptyHome = join(work.dir, 'home')
let kms: TestKms

const ciBuildScript = `
import { rollup } from 'rollup'
import kmsSecrets from 'unplugin-kms-secrets/rollup'
const plaintext = process.argv[2] ?? 'error'
const external = (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\\0')
try {
  const bundle = await rollup({ input: 'server.mjs', external, plugins: [kmsSecrets({ plaintext, keyId: process.env.APP_KEY, dts: false })], onwarn: () => {} })
  await bundle.write({ dir: 'dist', format: 'es', entryFileNames: 'server.mjs' })
  console.log('built')
} catch (e) {
  console.error('build failed:', e.pluginCode ?? e.cause?.code ?? e.code)
  process.exitCode = 2
}
`

beforeAll(async () => {
  kms = await startTestKms({
    seed: {
      identities: [
        { ...owner, allow: ['Encrypt', 'GenerateDataKey'], keys: [appKey] },
        { ...server, allow: ['Decrypt'], keys: [appKey] },
        { ...serverB, allow: ['Decrypt'], keys: [otherKey] },
        { ...admin, allow: ['*'], keys: ['*'] },
      ],
      keys: [
        { keyId: appKey, alias: 'hard-sod-app' },
        { keyId: otherKey, alias: 'hard-sod-other' },
      ],
    },
  })
  mkdirSync(join(app, 'config'), { recursive: true })
  mkdirSync(emptyHome)
  writeFileSync(join(app, 'config', 'db.secret.json'), JSON.stringify(value, null, 2))
  writeFileSync(join(app, 'server.mjs'), digestEntry(['db.secret.json']))
  writeFileSync(join(app, 'ci-build.mjs'), ciBuildScript)
})
afterAll(async () => {
  const refusals: Record<string, number> = {}
  for (const e of readAudit(kms.auditLog).filter((a) => a.code !== 'OK')) {
    const who = `${roles.get(e.secretId ?? '') ?? 'unknown'} ${e.action}`
    refusals[who] = (refusals[who] ?? 0) + 1
  }
  figures.set('kmsRefusalsByRoleAndAction', refusals)
  figures.write()
  await kms.dispose()
  work.remove()
})

const cli = (who: Identity | undefined, args: string[]) =>
  runNode([cliBin, ...args], { env: { ...kmsEnv(kms.endpoint, who), HOME: emptyHome }, cwd: app })
/** A CI machine: no TENCENTCLOUD_* at all, an empty HOME (no ~/.tencentcloud profile). */
const ciBuild = (plaintext: 'error' | 'seal') =>
  runNode(['ci-build.mjs', plaintext], {
    env: { PATH: process.env.PATH, HOME: emptyHome, KMS_SECRETS_ENDPOINT: kms.endpoint, APP_KEY: appKey },
    cwd: app,
  })
const serve = (who: Identity) =>
  runNode([join(app, 'dist', 'server.mjs')], {
    env: { ...kmsEnv(kms.endpoint, who, { KMS_SECRETS_MAX_ATTEMPTS: '1' }), HOME: emptyHome },
    cwd: app,
  })

function expectClean(run: RunResult): void {
  expect(textHasCanary(run.stdout + run.stderr, [canary])).toEqual([])
}

function auditSince(n: number): AuditEntry[] {
  return readAudit(kms.auditLog).slice(n)
}

describe('the workflow: owner seals, CI builds without credentials, the server decrypts', () => {
  it('1. the owner seals with the CLI (one GenerateDataKey, nothing else)', async () => {
    const before = readAudit(kms.auditLog).length
    const run = await cli(owner, ['encrypt', 'config/db.secret.json', '--key-id', appKey, '-i'])
    expect(run.code, run.stderr).toBe(0)
    expectClean(run)
    const sealed = readFileSync(join(app, 'config', 'db.secret.json'), 'utf8')
    expect(isEnvelopeText(sealed)).toBe(true)
    expect(textHasCanary(sealed, [canary])).toEqual([])
    expect(auditSince(before).map((e) => `${e.action} ${e.code}`)).toEqual(['GenerateDataKey OK'])
  })

  it('2. CI builds the sealed file with no credentials and makes no KMS call', async () => {
    const before = readAudit(kms.auditLog).length
    const run = await ciBuild('error')
    expect(run.code, run.stderr).toBe(0)
    expect(auditSince(before)).toEqual([])
    expect(textHasCanary(readFileSync(join(app, 'dist', 'server.mjs'), 'utf8'), [canary])).toEqual([])
  })

  it('3. the server, allowed only to Decrypt the app key, starts and gets the value', async () => {
    const run = await serve(server)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout.trim()).toBe(await expectedDigest([value]))
    expectClean(run)
  })
})

describe('every other combination fails with its code', () => {
  async function refusedRun(name: string, run: RunResult, code: string): Promise<void> {
    expect(run.code, `${name} succeeded`).not.toBe(0)
    expect(run.stderr, name).toContain(code)
    expectClean(run)
    figures.count('combinationsRefused', `${name} → ${code}`)
  }

  it('the owner cannot decrypt: neither by starting the server nor with `kms-secrets decrypt` / `rotate`', async () => {
    await refusedRun('owner starts the server', await serve(owner), 'ERR_KMS_UNAUTHORIZED')
    const decrypt = await cli(owner, ['decrypt', 'config/db.secret.json'])
    await refusedRun('owner runs kms-secrets decrypt', decrypt, 'ERR_KMS_UNAUTHORIZED')
    expect(decrypt.code).toBe(32)
    await refusedRun(
      'owner runs kms-secrets rotate',
      await cli(owner, ['rotate', 'config/db.secret.json']),
      'ERR_KMS_UNAUTHORIZED',
    )
  })

  it('the server cannot seal: `kms-secrets encrypt`, Encrypt and GenerateDataKey are refused', async () => {
    writeFileSync(join(work.dir, 'new.secret.json'), JSON.stringify({ password: canary }))
    const run = await cli(server, ['encrypt', join(work.dir, 'new.secret.json'), '--key-id', appKey])
    await refusedRun('server runs kms-secrets encrypt', run, 'ERR_KMS_UNAUTHORIZED')
    const provider = providerFor(kms.endpoint, server)
    for (const call of [
      () => provider.generateDataKey({ keyId: appKey }),
      () => provider.encrypt({ keyId: appKey, plaintext: new TextEncoder().encode(canary) }),
    ]) {
      const error = (await call().catch((e: unknown) => e)) as { code?: string; requestId?: string; message: string }
      // core's provider keeps Tencent's code and RequestId, and never the request body.
      expect(error).toMatchObject({ code: 'ERR_KMS_UNAUTHORIZED', kmsCode: 'AuthFailure.UnauthorizedOperation' })
      expect(error.requestId).toMatch(/\S/)
      expect(textHasCanary(error.message, [canary])).toEqual([])
      figures.count('combinationsRefused', 'server calls Encrypt/GenerateDataKey → ERR_KMS_UNAUTHORIZED')
    }
  })

  it("the server cannot open another key's envelope; a Decrypt-only identity of key B cannot open key A's", async () => {
    const underB = await sealJson(providerFor(kms.endpoint, admin), otherKey, value, 'b.secret.json')
    const opener = createSecretOpener({ provider: providerFor(kms.endpoint, server), retry: { maxAttempts: 1 } })
    const error = await opener.open(underB, { file: 'b.secret.json' }).catch((e: unknown) => e)
    expect((error as { code?: string }).code).toBe('ERR_KMS_UNAUTHORIZED')
    figures.count('combinationsRefused', "server opens key B's envelope → ERR_KMS_UNAUTHORIZED")
    await refusedRun('key-B server starts the app', await serve(serverB), 'ERR_KMS_UNAUTHORIZED')
  })

  it('CI cannot build a PLAINTEXT secret: forbidden by policy, and impossible without credentials anyway', async () => {
    writeFileSync(join(app, 'config', 'db.secret.json'), JSON.stringify(value))
    const forbidden = await ciBuild('error')
    expect(forbidden.code).toBe(2)
    expect(forbidden.stderr).toContain('ERR_PLUGIN_PLAINTEXT_FORBIDDEN')
    const noCredentials = await ciBuild('seal')
    expect(noCredentials.code).toBe(2)
    expect(noCredentials.stderr).toContain('ERR_KMS_CREDENTIALS')
    for (const run of [forbidden, noCredentials]) expectClean(run)
    figures.count('combinationsRefused', 'CI builds plaintext (policy) → ERR_PLUGIN_PLAINTEXT_FORBIDDEN')
    figures.count('combinationsRefused', 'CI builds plaintext (no credentials) → ERR_KMS_CREDENTIALS')
  })
})
