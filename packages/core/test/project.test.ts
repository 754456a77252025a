import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFakeKms, type FakeKms } from '@kms-secrets/testkit/fake-kms'
import { describe, expect, it } from 'vitest'
import {
  type AnyEnvelope,
  createProjectKey,
  createProjectKeyCache,
  decodeEnvelope,
  decodePayload,
  encodeEnvelope,
  encodeProjectKey,
  findProjectKey,
  openEnvelope,
  type ProjectEnvelope,
  type ProjectKey,
  parseSecretFile,
  projectEnvelopeKms,
  projectKeyFingerprint,
  rewrapProjectKey,
  sealWithProjectKey,
  unlockProjectKey,
  validateEnvelope,
  validateProjectKey,
} from '../src/index.js'

const kmsOptions = {
  keys: ['sym-1', 'sym-2'],
  asymmetric: { 'rsa-1': 'ASYMMETRIC_DECRYPT_RSA_2048', 'sm2-1': 'ASYMMETRIC_DECRYPT_SM2' } as const,
}
const cmks = [
  ['symmetric', 'sym-1', 'KMS', ['DescribeKey', 'Encrypt'], 'Decrypt'],
  ['RSA_2048', 'rsa-1', 'RSAES_OAEP_SHA_256', ['DescribeKey', 'GetPublicKey'], 'AsymmetricRsaDecrypt'],
  ['SM2', 'sm2-1', 'SM2', ['DescribeKey', 'GetPublicKey'], 'AsymmetricSm2Decrypt'],
] as const

const kms = createFakeKms(kmsOptions)
const actions = (k: FakeKms, from = 0) => k.calls.slice(from).map((c) => c.action)

async function seal(key: ProjectKey, id: string, text: string): Promise<ProjectEnvelope> {
  const parsed = parseSecretFile(text, 'json', id)
  return sealWithProjectKey(key, { id, format: 'json', payload: parsed.payload, shape: parsed.shape })
}

async function open(env: AnyEnvelope, provider = kms, cache?: ReturnType<typeof createProjectKeyCache>) {
  const bytes = await openEnvelope(env, { provider, ...(cache ? { projectKeys: cache } : {}) })
  return decodePayload(bytes, env.format)
}

async function failure(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'no error',
    (e: { code?: string }) => e.code ?? String(e),
  )
}

describe.each(cmks)('project key on a %s CMK', (_name, keyId, wrap, initCalls, unwrapCall) => {
  it('init makes only the documented calls and writes nothing secret', async () => {
    const from = kms.calls.length
    const key = await createProjectKey({ provider: kms, keyId, context: { app: 'api' } })
    expect(actions(kms, from)).toEqual(initCalls)
    expect(key).toMatchObject({ kmsSecretsProject: 1, keyId, wrappedKey: { alg: wrap }, context: { app: 'api' } })
    expect(validateProjectKey(JSON.parse(encodeProjectKey(key)))).toEqual(key)
  })

  it('seals with no KMS call; three envelopes open with one unwrap through a cache', async () => {
    const key = await createProjectKey({ provider: kms, keyId })
    const from = kms.calls.length
    const envs = [
      await seal(key, 'db.secret.json', '{"password":"p1"}'),
      await seal(key, 'stripe.secret.json', '{"token":"t2"}'),
      await seal(key, 'mail.secret.json', '{"smtp":"s3"}'),
    ]
    expect(kms.calls.length).toBe(from)
    const decoded = envs.map((e) => decodeEnvelope(encodeEnvelope(e)))
    expect(decoded[0]).toMatchObject({ mode: 'project', kms: { wrap, project: projectKeyFingerprint(key) } })
    const cache = createProjectKeyCache(() => kms)
    const values = await Promise.all(decoded.map((e) => open(e, kms, cache)))
    cache.dispose()
    expect(values).toEqual([{ password: 'p1' }, { token: 't2' }, { smtp: 's3' }])
    expect(actions(kms, from)).toEqual([unwrapCall])
  })

  it('refuses tampered envelopes with typed errors', async () => {
    const key = await createProjectKey({ provider: kms, keyId, context: { env: 'prod' } })
    const env = await seal(key, 'db.secret.json', '{"password":"p1"}')
    const other = await seal(key, 'db.secret.json', '{"password":"p2"}')
    const otherKey = await createProjectKey({ provider: kms, keyId })
    const foreign = await seal(otherKey, 'db.secret.json', '{"password":"p3"}')
    expect(await failure(open({ ...env, id: 'x.secret.json' }))).toBe('ERR_ENVELOPE_AUTH')
    expect(await failure(open({ ...env, enc: other.enc }))).toBe('ERR_ENVELOPE_COMMITMENT')
    expect(await failure(open({ ...env, commit: other.commit }))).toBe('ERR_ENVELOPE_COMMITMENT')
    expect(await failure(open({ ...env, kms: foreign.kms }))).not.toBe('no error')
    expect(await failure(open({ ...env, kms: { ...foreign.kms, project: env.kms.project } }))).not.toBe('no error')
    const edited = { ...env, context: { env: 'dev' } }
    expect(await failure(open(edited))).toBe(wrap === 'KMS' ? 'ERR_KMS_INVALID_CIPHERTEXT' : 'ERR_ENVELOPE_AUTH')
    expect(await open(env)).toEqual({ password: 'p1' })
  })

  it('unlockProjectKey refuses a kms-secrets.json whose publicKey was replaced', async () => {
    const key = await createProjectKey({ provider: kms, keyId })
    const other = await createProjectKey({ provider: kms, keyId })
    expect(await failure(unlockProjectKey({ ...key, publicKey: other.publicKey }, kms))).not.toBe('no error')
    const priv = await unlockProjectKey(key, kms)
    expect(priv.length).toBe(32)
    priv.fill(0)
  })
})

describe('project key: re-wrap under another CMK', () => {
  it('symmetric → symmetric uses ReEncrypt only: the private key never reaches this process', async () => {
    const key = await createProjectKey({ provider: kms, keyId: 'sym-1' })
    const env = await seal(key, 'db.secret.json', '{"password":"p1"}')
    const from = kms.calls.length
    const moved = await rewrapProjectKey(key, { provider: kms, keyId: 'sym-2' })
    expect(actions(kms, from)).toEqual(['DescribeKey', 'ReEncrypt'])
    expect(projectKeyFingerprint(moved)).toBe(projectKeyFingerprint(key))
    expect(await open({ ...env, kms: projectEnvelopeKms(moved) })).toEqual({ password: 'p1' })
    expect(await failure(open({ ...env, kms: { ...projectEnvelopeKms(moved), keyId: 'sym-1' } }))).toBe(
      'ERR_ENVELOPE_KEY',
    )
  })

  it.each([
    ['sym-1', 'sm2-1'],
    ['rsa-1', 'sym-2'],
    ['sm2-1', 'rsa-1'],
  ])('%s → %s: one unwrap, one wrap; sealed values stay valid', async (fromKey, toKey) => {
    const key = await createProjectKey({ provider: kms, keyId: fromKey })
    const env = await seal(key, 'db.secret.json', '{"password":"p1"}')
    const moved = await rewrapProjectKey(key, { provider: kms, keyId: toKey })
    expect(moved.keyId).toBe(toKey)
    expect(await open({ ...env, kms: projectEnvelopeKms(moved) })).toEqual({ password: 'p1' })
  })
})

describe('project key file', () => {
  it('findProjectKey walks up from a directory; the nearest wins', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kms-project-'))
    const key = await createProjectKey({ provider: kms, keyId: 'sym-1' })
    const inner = await createProjectKey({ provider: kms, keyId: 'sym-2' })
    mkdirSync(join(root, 'a/b/c'), { recursive: true })
    writeFileSync(join(root, 'kms-secrets.json'), encodeProjectKey(key))
    writeFileSync(join(root, 'a/b/kms-secrets.json'), encodeProjectKey(inner))
    expect(findProjectKey(join(root, 'a'))?.key).toEqual(key)
    expect(findProjectKey(join(root, 'a/b/c'))?.path).toBe(join(root, 'a/b/kms-secrets.json'))
    expect(findProjectKey(join(root, 'a/b/c'), join(root, 'a/b/c'))).toBeUndefined()
  })

  it('validateProjectKey is strict: unknown field, keyUsage not matching the wrap, bad public key', async () => {
    const key = await createProjectKey({ provider: kms, keyId: 'sym-1' })
    const bad = [
      { ...key, extra: 1 },
      { ...key, keyUsage: 'ASYMMETRIC_DECRYPT_SM2' },
      { ...key, publicKey: key.publicKey.slice(4) },
      { ...key, suite: { kem: 32, kdf: 1, aead: 65535 } },
      { ...key, context: { 'kms-secrets-project': 'x' } },
    ]
    for (const obj of bad)
      expect(() => validateProjectKey(obj)).toThrow(expect.objectContaining({ code: 'ERR_PROJECT_KEY' }))
    expect(() => validateProjectKey({ ...key, kmsSecretsProject: 2 })).toThrow(
      expect.objectContaining({ code: 'ERR_ENVELOPE_VERSION' }),
    )
  })

  it('the data-key-only validateEnvelope refuses mode project (an opener without support fails closed)', async () => {
    const key = await createProjectKey({ provider: kms, keyId: 'sym-1' })
    const env = await seal(key, 'db.secret.json', '{"password":"p1"}')
    expect(() => validateEnvelope(env)).toThrow(expect.objectContaining({ code: 'ERR_ENVELOPE_FIELD' }))
  })

  it('an unsupported CMK KeyUsage is refused at init', async () => {
    const k = createFakeKms(kmsOptions)
    k.describeKey = async (keyId) => ({ keyId, keyUsage: 'ASYMMETRIC_SIGN_VERIFY_SM2' })
    expect(await failure(createProjectKey({ provider: k, keyId: 'sym-1' }))).toBe('ERR_PROJECT_KEY')
  })
})
