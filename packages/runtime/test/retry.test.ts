import { isKmsSecretsError } from '@kms-secrets/core'
import { createFakeKms, type Fault, rejection } from '@kms-secrets/testkit/fake-kms'
import { describe, expect, it } from 'vitest'
import { createSecretOpener } from '../src/index.js'
import { backoffMs } from '../src/opener/retry.js'
import { expectNoUnhandledRejections } from './support/no-unhandled.js'
import { sealAll, sealOne } from './support/seal.js'

const fast = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 4 }
// Late rejections (timed-out attempts, abandoned flights) must surface as failures, not vanish.
expectNoUnhandledRejections(50)

describe('retries', () => {
  it.each<Fault[]>([
    ['throttle'],
    ['internal'],
    ['network'],
    ['timeout'],
    ['late-reject'],
    ['throttle', 'internal', 'network'],
  ])('recovers from %j then succeeds', async (...faults) => {
    const kms = createFakeKms()
    const [env, value] = await sealOne(kms, 'json')
    kms.faults.push(...faults)
    const opener = createSecretOpener({ provider: kms, retry: fast, timeoutMs: 30 })
    await expect(opener.open(env, { file: 'db.secret.json' })).resolves.toEqual(value)
    expect(kms.decrypts).toHaveLength(faults.length + 1)
  })

  it('gives up after the budget with a typed error naming file, KeyId, attempts and RequestId', async () => {
    const kms = createFakeKms()
    const [env] = await sealOne(kms, 'json')
    kms.faults.push('throttle', 'throttle', 'throttle', 'throttle', 'throttle')
    const err = await rejection(
      createSecretOpener({ provider: kms, retry: fast }).open(env, { file: 'db.secret.json' }),
    )
    expect(isKmsSecretsError(err)).toBe(true)
    expect(err).toMatchObject({
      code: 'ERR_KMS_THROTTLED',
      kmsCode: 'RequestLimitExceeded',
      requestId: kms.lastRequestId,
      file: 'db.secret.json',
      keyId: env.kms.keyId,
    })
    expect(kms.decrypts).toHaveLength(4)
    for (const part of ['db.secret.json', env.kms.keyId, 'after 4 attempts', kms.lastRequestId])
      expect(err.message).toContain(part)
    expect(err.hint).toMatch(/quota/)
  })

  it('gives up on endless timeouts with ERR_KMS_TIMEOUT', async () => {
    const kms = createFakeKms()
    const [env] = await sealOne(kms, 'json')
    kms.faults.push('timeout', 'late-reject', 'timeout')
    const opener = createSecretOpener({ provider: kms, retry: { ...fast, maxAttempts: 3 }, timeoutMs: 20 })
    await expect(opener.open(env, { file: 'f' })).rejects.toMatchObject({ code: 'ERR_KMS_TIMEOUT', file: 'f' })
  })

  it.each<[Fault, string]>([
    ['unauthorized', 'ERR_KMS_UNAUTHORIZED'],
    ['disabled', 'ERR_KMS_KEY_DISABLED'],
  ])('fails fast (1 call) on non-retryable %s', async (fault, code) => {
    const kms = createFakeKms()
    const [env] = await sealOne(kms, 'json')
    kms.faults.push(fault)
    const err = await rejection(
      createSecretOpener({ provider: kms, retry: fast }).open(env, { file: 'db.secret.json' }),
    )
    expect(err).toMatchObject({ code, file: 'db.secret.json', keyId: env.kms.keyId, requestId: kms.lastRequestId })
    expect(kms.decrypts).toHaveLength(1)
  })

  it('fails fast on a wrong encryption context (KMS InvalidCiphertext)', async () => {
    const kms = createFakeKms()
    const [env] = await sealOne(kms, 'json')
    const moved = { ...env, context: { app: 'other', env: 'test' } }
    await expect(createSecretOpener({ provider: kms }).open(moved, { file: 'f' })).rejects.toMatchObject({
      code: 'ERR_KMS_INVALID_CIPHERTEXT',
      kmsCode: 'InvalidParameterValue.InvalidCiphertext',
    })
    expect(kms.decrypts).toHaveLength(1)
  })

  it('forgets a failed Decrypt so a later access succeeds', async () => {
    const kms = createFakeKms()
    const [env, value] = await sealOne(kms, 'json')
    kms.faults.push('unauthorized')
    const opener = createSecretOpener({ provider: kms, retry: fast })
    await expect(opener.open(env, { file: 'f' })).rejects.toMatchObject({ code: 'ERR_KMS_UNAUTHORIZED' })
    await expect(opener.open(env, { file: 'f' })).resolves.toEqual(value)
    await expect(opener.open(env, { file: 'f' })).resolves.toEqual(value)
    expect(kms.decrypts).toHaveLength(2)
  })

  it('gives every waiting file its own error, and nobody-awaited flights raise no unhandled rejection', async () => {
    const kms = createFakeKms()
    const { envelopes } = await sealAll(
      kms,
      [1, 2, 3].map((n) => ({ id: `f${n}.secret.json`, format: 'json' as const, text: '{}' })),
    )
    kms.faults.push('unauthorized')
    const opener = createSecretOpener({ provider: kms })
    const results = await Promise.allSettled(envelopes.map((e) => opener.open(e, { file: e.id })))
    expect(results.map((r) => r.status === 'rejected' && (r.reason as { file?: string }).file)).toEqual(
      envelopes.map((e) => e.id),
    )
    kms.faults.push('throttle', 'throttle')
    // Started and dropped: the process must not see an unhandled rejection (checked after each test).
    void opener.open(envelopes[0]!, { file: 'x' }).catch(() => {})
    const abandoned = createSecretOpener({ provider: kms, retry: { maxAttempts: 1 } })
    abandoned.open(envelopes[0]!, { file: 'y' }).then(
      () => {},
      () => {},
    )
  })
})

describe('fleet restart against a throttled KMS', () => {
  it('100 concurrent starts all open under a 100 calls/s quota, with a bounded number of calls', async () => {
    const kms = createFakeKms()
    const [env, value] = await sealOne(kms, 'json')
    const windowMs = 100
    const perWindow = 10
    const stamps: number[] = []
    const throttled = {
      ...kms,
      async decrypt(...args: Parameters<typeof kms.decrypt>) {
        const now = Date.now()
        // Like a token bucket: accepted calls use the quota, refused ones do not.
        if (stamps.filter((t) => now - t < windowMs).length >= perWindow) kms.faults.unshift('throttle')
        else stamps.push(now)
        return kms.decrypt(...args)
      },
    }
    // Each "process" has its own opener (its own cache), as after a fleet restart.
    const retry = { maxAttempts: 10, baseDelayMs: 50, maxDelayMs: 1000 }
    const starts = Array.from({ length: 100 }, () =>
      createSecretOpener({ provider: throttled, retry }).open(env, { file: 'f' }),
    )
    const opened = await Promise.all(starts)
    expect(opened.every((v) => JSON.stringify(v) === JSON.stringify(value))).toBe(true)
    // Full jitter spreads retries: measured ~490 calls in total (≈5 per start, refused ones included), far
    // below attempts × starts = 1000; the bound leaves room for timer noise.
    expect(kms.decrypts.length).toBeLessThan(800)
  })
})

describe('backoff', () => {
  it('is full jitter: uniform in [0, min(cap, base·2^(n-1)))', () => {
    const p = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 5000, timeoutMs: 1 }
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffMs(n, { ...p, random: () => 0.999999 }))).toEqual([
      99, 199, 399, 799, 1599, 3199, 4999, 4999,
    ])
    expect(backoffMs(5, { ...p, random: () => 0 })).toBe(0)
  })
})
