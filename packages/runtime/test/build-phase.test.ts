import { inspect } from 'node:util'
import { isKmsSecretsError, type KmsSecretsError } from '@kms-secrets/core/errors'
import { createFakeKms } from '@kms-secrets/testkit/fake-kms'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { isBuildPhase, openSecret, openSecretSync } from '../src/index.js'
import { buildPhasePlaceholder } from '../src/opener/build-phase.js'
import { canary, sealOne } from './support/seal.js'

// biome-ignore lint/suspicious/noExplicitAny: a placeholder stands for any JSON value; each test uses it as such.
type Deep = any

afterEach(() => {
  vi.unstubAllEnvs()
})

/** The typed error a use of the placeholder throws (fails the test if it does not throw one). */
function thrown(use: () => unknown): KmsSecretsError {
  try {
    use()
  } catch (e) {
    if (isKmsSecretsError(e)) return e
    throw e
  }
  throw new Error('expected ERR_RUNTIME_BUILD_PHASE')
}

describe('isBuildPhase', () => {
  it.each([
    [{ KMS_SECRETS_PHASE: 'build' }, true],
    [{ NEXT_PHASE: 'phase-production-build' }, true],
    [{ NEXT_PHASE: 'phase-production-server' }, false],
    [{ KMS_SECRETS_PHASE: 'run' }, false],
    [{}, false],
  ])('%o → %s', (env, expected) => {
    vi.stubEnv('KMS_SECRETS_PHASE', undefined)
    vi.stubEnv('NEXT_PHASE', undefined)
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v)
    expect(isBuildPhase()).toBe(expected)
  })
})

describe('openSecret in the build phase', () => {
  it('makes no KMS call (no credentials needed) and evaluates top-level reads', async () => {
    vi.stubEnv('KMS_SECRETS_PHASE', 'build')
    vi.stubEnv('TENCENTCLOUD_SECRET_ID', undefined)
    const kms = createFakeKms()
    const [env] = await sealOne(kms, 'json')
    const calls = kms.decrypts.length
    const db = (await openSecret(env, { file: 'config/db.secret.json' })) as Record<string, Deep>
    const sync = openSecretSync(env, { file: 'config/db.secret.json' }) as Record<string, Deep>
    expect(kms.decrypts.length).toBe(calls)
    // `export const { host } = db` and `db.pool.max` at module top level.
    const { host, pool } = db
    expect(typeof host).toBe('function')
    expect(pool.max).toBeDefined()
    expect(sync.password).toBeDefined()
    // Logging it neither throws nor shows anything but a function.
    expect(inspect(db)).toBe('[Function (anonymous)]')
  })

  it.each<[string, (v: Deep) => unknown]>([
    ['template literal', (v) => `${v.host}`],
    ['+ coercion', (v) => v.port + 1],
    ['String()', (v) => String(v)],
    ['valueOf', (v) => v.valueOf()],
    ['JSON.stringify', (v) => JSON.stringify(v)],
    ['Object.keys', (v) => Object.keys(v)],
    ['spread', (v) => ({ ...v })],
    ['in', (v) => 'host' in v],
    ['getOwnPropertyDescriptor', (v) => Object.getOwnPropertyDescriptor(v, 'host')],
    ['iteration', (v) => [...v.tags]],
    ['call', (v) => v.host()],
    [
      'write',
      (v) => {
        v.host = 'x'
      },
    ],
    ['delete', (v) => delete v.host],
    ['React child check', (v) => v.$$typeof],
  ])('%s throws ERR_RUNTIME_BUILD_PHASE naming the file and what to change', (_, use) => {
    const e = thrown(() => use(buildPhasePlaceholder('config/db.secret.json')))
    expect(e.code).toBe('ERR_RUNTIME_BUILD_PHASE')
    expect(e.file).toBe('config/db.secret.json')
    expect(e.message).toContain('config/db.secret.json')
    expect(e.hint).toContain("dynamic = 'force-dynamic'")
  })

  it('a text secret is a placeholder that throws on coercion', async () => {
    vi.stubEnv('KMS_SECRETS_PHASE', 'build')
    const kms = createFakeKms()
    const [env] = await sealOne(kms, 'text')
    const key = await openSecret(env, { file: 'tls.secret.key' })
    expect(thrown(() => `${key}`).code).toBe('ERR_RUNTIME_BUILD_PHASE')
    expect(thrown(() => (key as string).trim()).code).toBe('ERR_RUNTIME_BUILD_PHASE')
  })

  it('names the JSON path read, and nothing of the ciphertext', async () => {
    vi.stubEnv('KMS_SECRETS_PHASE', 'build')
    const kms = createFakeKms()
    const [env] = await sealOne(kms, 'json')
    const db = (await openSecret(env, { file: 'db.secret.json' })) as Record<string, Deep>
    const e = thrown(() => `${db.pool.hosts[0]}`)
    expect(e.message).toContain('$.pool.hosts[0]')
    const shown = `${e.message}\n${e.hint}\n${e.stack}\n${inspect(e)}`
    for (const part of [env.kms.blob, env.data, env.iv, env.tag, ...Object.values(canary)]) {
      expect(shown).not.toContain(part.slice(0, 16))
    }
  })

  it('outside the build phase, opens as before', async () => {
    vi.stubEnv('KMS_SECRETS_PHASE', undefined)
    vi.stubEnv('NEXT_PHASE', undefined)
    const kms = createFakeKms()
    const [env] = await sealOne(kms, 'json')
    const error = await openSecret(env, { file: 'db.secret.json' }).catch((e: unknown) => e)
    expect(isKmsSecretsError(error) && error.code).not.toBe('ERR_RUNTIME_BUILD_PHASE')
  })
})
