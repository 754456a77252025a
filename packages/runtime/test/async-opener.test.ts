import type { SecretFormat } from '@kms-secrets/core'
import { createFakeKms, rejection } from '@kms-secrets/testkit/fake-kms'
import { describe, expect, it } from 'vitest'
import { createSecretOpener } from '../src/index.js'
import { directEnvelope, fileOf, keyA, keyB, keyC, sealAll, sealOne, sources } from './support/seal.js'

const fast = { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 5 }
const formats: SecretFormat[] = ['json', 'yaml', 'env', 'text']

describe('value round trip', () => {
  it.each(formats)('opens a sealed %s secret into the parsed value', async (format) => {
    const kms = createFakeKms()
    const [env, value] = await sealOne(kms, format)
    const opener = createSecretOpener({ provider: kms, retry: fast })
    await expect(opener.open(env, { file: fileOf[format] })).resolves.toEqual(value)
    expect(kms.decrypts).toHaveLength(1)
    expect(kms.decrypts[0]).toEqual({
      ciphertextBlob: env.kms.blob,
      encryptionContext: '{"app":"api","env":"test","kms-secrets":"1"}',
    })
  })

  it('gives the text format back as the exact string', async () => {
    const kms = createFakeKms()
    const [env] = await sealOne(kms, 'text')
    await expect(createSecretOpener({ provider: kms }).open(env, { file: 'tls.secret.key' })).resolves.toBe(
      sources.text,
    )
  })

  it('opens a direct-mode envelope (Decrypt plaintext is the value), with and without context', async () => {
    const kms = createFakeKms()
    const plain = directEnvelope(kms, 'console-made-token-1')
    const withCtx = directEnvelope(kms, 'console-made-token-2', { app: 'api' })
    const opener = createSecretOpener({ provider: kms })
    await expect(opener.open(plain, { file: 'token.secret.txt' })).resolves.toBe('console-made-token-1')
    await expect(opener.open(withCtx, { file: 'token.secret.txt' })).resolves.toBe('console-made-token-2')
    expect(kms.decrypts.map((d) => d.encryptionContext)).toEqual([undefined, '{"app":"api"}'])
  })

  it('gives concurrent direct opens of one blob one Decrypt and separate objects', async () => {
    const kms = createFakeKms()
    const base = directEnvelope(kms, '{"a":1}')
    const env = { ...base, format: 'json' as const }
    const opener = createSecretOpener({ provider: kms })
    const [a, b] = await Promise.all([opener.open(env, { file: 'a' }), opener.open(env, { file: 'b' })])
    expect(a).toEqual({ a: 1 })
    expect(b).toEqual({ a: 1 })
    expect(a).not.toBe(b)
    expect(kms.decrypts).toHaveLength(1)
  })
})

describe('one Decrypt per data key', () => {
  const twenty = Array.from({ length: 20 }, (_, i) => ({
    id: `s${i}.secret.json`,
    format: 'json' as const,
    text: `{"n":${i}}`,
  }))

  it('20 envelopes sharing a data key, opened concurrently → exactly 1 Decrypt', async () => {
    const kms = createFakeKms()
    const { envelopes, values } = await sealAll(kms, twenty)
    const opener = createSecretOpener({ provider: kms })
    const opened = await Promise.all(envelopes.map((e) => opener.open(e, { file: e.id })))
    expect(opened).toEqual(values)
    expect(kms.decrypts).toHaveLength(1)
  })

  it('20 envelopes sharing a data key, opened one after another → exactly 1 Decrypt', async () => {
    const kms = createFakeKms()
    const { envelopes, values } = await sealAll(kms, twenty)
    const opener = createSecretOpener({ provider: kms })
    for (const [i, e] of envelopes.entries()) expect(await opener.open(e, { file: e.id })).toEqual(values[i])
    expect(kms.decrypts).toHaveLength(1)
  })

  it('3 distinct data keys → 3 Decrypts, whatever the number of opens', async () => {
    const kms = createFakeKms()
    const sets = await Promise.all([keyA, keyB, keyC].map((k) => sealAll(kms, twenty.slice(0, 5), k)))
    const opener = createSecretOpener({ provider: kms })
    const all = sets.flatMap((s) => s.envelopes)
    await Promise.all([...all, ...all].map((e) => opener.open(e, { file: e.id })))
    expect(kms.decrypts).toHaveLength(3)
    for (const s of sets) expect(kms.decryptsOf(s.envelopes[0]!.kms.blob)).toBe(1)
  })

  it('close() forgets the data keys: the next open decrypts again', async () => {
    const kms = createFakeKms()
    const [env] = await sealOne(kms, 'json')
    const opener = createSecretOpener({ provider: kms })
    await opener.open(env, { file: 'a' })
    opener.close()
    await opener.open(env, { file: 'a' })
    expect(kms.decrypts).toHaveLength(2)
  })

  it('separate openers keep separate caches', async () => {
    const kms = createFakeKms()
    const [env] = await sealOne(kms, 'json')
    await createSecretOpener({ provider: kms }).open(env, { file: 'a' })
    await createSecretOpener({ provider: kms }).open(env, { file: 'a' })
    expect(kms.decrypts).toHaveLength(2)
  })
})

describe('providers and regions', () => {
  it('asks a provider factory once per region (envelope region unless overridden)', async () => {
    const kms = createFakeKms()
    const [env] = await sealOne(kms, 'json')
    const [second] = await sealOne(kms, 'json', keyB)
    const other = { ...second, kms: { ...second.kms, region: 'ap-shanghai' } }
    const regions: string[] = []
    const provider = (region: string) => {
      regions.push(region)
      return kms
    }
    const opener = createSecretOpener({ provider })
    await opener.open(env, { file: 'a' })
    await opener.open(env, { file: 'b' })
    await opener.open(other, { file: 'c' })
    expect(regions).toEqual(['ap-guangzhou', 'ap-shanghai'])
    const pinned: string[] = []
    const pin = (r: string) => {
      pinned.push(r)
      return kms
    }
    await createSecretOpener({ provider: pin, region: 'ap-beijing' }).open(other, {
      file: 'c',
    })
    expect(pinned).toEqual(['ap-beijing'])
  })

  it('offers openSync only when no provider object is given', () => {
    expect(createSecretOpener({ provider: createFakeKms() }).openSync).toBeUndefined()
    expect(typeof createSecretOpener().openSync).toBe('function')
  })
})

describe('invalid input', () => {
  it('rejects a non-envelope with a typed error naming the file', async () => {
    const opener = createSecretOpener({ provider: createFakeKms() })
    const err = await rejection(opener.open({ nope: 1 } as never, { file: 'x.secret.json' }))
    expect(err).toMatchObject({ code: 'ERR_ENVELOPE_FIELD', file: 'x.secret.json' })
  })

  it('rejects an unknown version with ERR_ENVELOPE_VERSION', async () => {
    const kms = createFakeKms()
    const [env] = await sealOne(kms, 'json')
    const err = await rejection(
      createSecretOpener({ provider: kms }).open({ ...env, kmsSecrets: 3 } as never, { file: 'f' }),
    )
    expect(err).toMatchObject({ code: 'ERR_ENVELOPE_VERSION' })
    expect(kms.decrypts).toHaveLength(0)
  })
})
