import type { SealedEnvelope } from '@kms-secrets/core'
import { createSecretOpener } from '@kms-secrets/runtime'
import { readAudit, startTestKms, type TestKms } from '@kms-secrets/testkit/local-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminAndRuntime, keyIdFor, newIdentity, providerFor } from './hardening/support/kms.js'
import { sealJson } from './hardening/support/seal.js'

/**
 * The runtime signs and sends KMS Decrypt itself (no Tencent SDK). local-kms verifies TC3 signatures with its own
 * implementation; the same Decrypt through core's SDK-based provider must give the same plaintext, and the audit log
 * must show both accepted — for plain and for temporary (session-token) credentials.
 */
const keyId = keyIdFor('runtime-transport')
const admin = newIdentity('Admin')
const runtime = newIdentity('Runtime')
const temporary = { ...newIdentity('Temporary'), token: 'sts-token-for-the-test' }
const value = { password: 'transport-canary-5d1f', port: 5432 }
let kms: TestKms
let envelope: SealedEnvelope

beforeAll(async () => {
  kms = await startTestKms({
    seed: {
      identities: [...adminAndRuntime(admin, runtime, [keyId]), { ...temporary, allow: ['Decrypt'], keys: [keyId] }],
      keys: [{ keyId, alias: 'runtime-transport' }],
    },
  })
  envelope = await sealJson(providerFor(kms.endpoint, admin), keyId, value)
})
afterAll(async () => {
  await kms?.dispose()
})

const decrypts = (secretId: string) =>
  readAudit(kms.auditLog).filter((e) => e.action === 'Decrypt' && e.secretId === secretId)

describe('runtime Decrypt against local-kms, checked with the official SDK', () => {
  it.each([
    ['long-term', runtime],
    ['session token', temporary],
  ] as const)('%s credentials: the runtime opens the value and local-kms accepts its signature', async (_, who) => {
    const opener = createSecretOpener({ endpoint: kms.endpoint, credential: who, retry: { maxAttempts: 1 } })
    await expect(opener.open(envelope, { file: 'db.secret.json' })).resolves.toEqual(value)
    expect(decrypts(who.secretId).map((e) => e.code)).toEqual(['OK'])
  })

  it('the same Decrypt through the official SDK (core provider) gives the same data key', async () => {
    const blob = envelope.kms.blob
    const sdk = providerFor(kms.endpoint, runtime)
    const ours = createSecretOpener({ endpoint: kms.endpoint, credential: runtime, retry: { maxAttempts: 1 } })
    await ours.open(envelope, { file: 'db.secret.json' })
    const before = decrypts(runtime.secretId).length
    const { envelopeEncryptionContext, validateEnvelope } = await import('@kms-secrets/core/open')
    const ctx = envelopeEncryptionContext(validateEnvelope(envelope, 'db.secret.json'))
    const res = await sdk.decrypt({ ciphertextBlob: blob, ...(ctx === undefined ? {} : { encryptionContext: ctx }) })
    expect(res.plaintext).toHaveLength(32)
    expect(
      decrypts(runtime.secretId)
        .slice(before)
        .map((e) => e.code),
    ).toEqual(['OK'])
  })

  it('a wrong secret key is refused by local-kms (the check can fail)', async () => {
    const bad = { secretId: runtime.secretId, secretKey: `${runtime.secretKey}x` }
    const opener = createSecretOpener({ endpoint: kms.endpoint, credential: bad, retry: { maxAttempts: 1 } })
    await expect(opener.open(envelope, { file: 'db.secret.json' })).rejects.toMatchObject({
      code: 'ERR_KMS_UNAUTHORIZED',
      kmsCode: 'AuthFailure.SignatureFailure',
    })
  })
})
