import { createFakeKms } from '@kms-secrets/testkit/fake-kms'
import { describe, expect, it } from 'vitest'
import {
  createSealer,
  decodeEnvelope,
  decodePayload,
  encodeEnvelope,
  encryptionContextFor,
  isEnvelopeText,
  openEnvelope,
  parseSecretFile,
  sealSecret,
  wrapBlob,
} from '../src/index.js'
import { sealText } from './support/seal.js'

const enc = (s: string) => new TextEncoder().encode(s)

describe('seal → encode → decode → open', () => {
  it('round-trips a JSON secret through the codec', async () => {
    const kms = createFakeKms()
    const parsed = parseSecretFile('{"host":"db","password":"hunter2-secret"}', 'json', 'db.secret.json')
    const env = await sealSecret({
      provider: kms,
      keyId: 'fake-key-1',
      id: 'db.secret.json',
      format: 'json',
      ...parsed,
    })
    const text = encodeEnvelope(env)
    expect(isEnvelopeText(text)).toBe(true)
    expect(text).not.toContain('hunter2')
    const back = decodeEnvelope(text, 'db.secret.json')
    expect(back).toEqual(env)
    const bytes = await openEnvelope(back, { provider: kms, expectedId: 'db.secret.json' })
    expect(decodePayload(bytes, 'json')).toEqual({ host: 'db', password: 'hunter2-secret' })
  })

  it('uses ONE GenerateDataKey for many files and sends the canonical context', async () => {
    const kms = createFakeKms()
    const sealer = createSealer({ provider: kms, keyId: 'fake-key-1', context: { env: 'prod', app: 'api' } })
    const envs = await Promise.all(
      ['a', 'b', 'c'].map((id) => sealer.seal({ id: `${id}.secret.txt`, format: 'text', payload: enc(id) })),
    )
    sealer.dispose()
    expect(kms.calls.filter((c) => c.action === 'GenerateDataKey')).toHaveLength(1)
    expect(kms.calls[0]?.encryptionContext).toBe('{"app":"api","env":"prod","kms-secrets":"1"}')
    expect(new Set(envs.map((e) => e.kms.blob)).size).toBe(1)
    for (const e of envs) {
      expect(new TextDecoder().decode(await openEnvelope(e, { provider: kms }))).toBe(e.id.split('.')[0])
    }
    await expect(sealer.seal({ id: 'd', format: 'text', payload: enc('d') })).rejects.toMatchObject({
      code: 'ERR_INTERNAL',
    })
  })

  it('rejects an envelope moved to another id', async () => {
    const kms = createFakeKms()
    const env = await sealText(kms, 'x')
    await expect(openEnvelope({ ...env, id: 'b.secret.txt' }, { provider: kms })).rejects.toMatchObject({
      code: 'ERR_ENVELOPE_AUTH',
    })
    await expect(openEnvelope(env, { provider: kms, expectedId: 'b.secret.txt' })).rejects.toMatchObject({
      code: 'ERR_ENVELOPE_MISMATCH',
    })
  })

  it('opens a direct-mode blob made by Encrypt without context', async () => {
    const kms = createFakeKms()
    const { ciphertextBlob } = await kms.encrypt({ keyId: 'fake-key-1', plaintext: enc('console-secret') })
    const env = wrapBlob({ blob: ciphertextBlob, region: 'ap-guangzhou', id: 'k.secret.txt', format: 'text' })
    expect(decodeEnvelope(encodeEnvelope(env))).toEqual(env)
    expect(new TextDecoder().decode(await openEnvelope(env, { provider: kms }))).toBe('console-secret')
  })
})

describe('encryptionContextFor', () => {
  it.each([
    [{}, '{"kms-secrets":"1"}'],
    [{ b: '2', a: '1' }, '{"a":"1","b":"2","kms-secrets":"1"}'],
  ])('canonicalises %j', (ctx, expected) => {
    expect(encryptionContextFor(ctx)).toBe(expected)
  })
  it.each([
    ['non-string value', { a: 1 }],
    ['reserved key', { 'kms-secrets': '2' }],
    ['too long', { a: 'x'.repeat(1024) }],
    ['not an object', ['a']],
  ])('rejects %s', (_name, ctx) => {
    expect(() => encryptionContextFor(ctx as never)).toThrow(expect.objectContaining({ code: 'ERR_CONTEXT_INVALID' }))
  })
})
