import { Buffer } from 'node:buffer'
import { inspect } from 'node:util'
import type { SealedEnvelope } from '@kms-secrets/core'
import type { WebKey } from '@kms-secrets/core/open'
import { createFakeKms, rejection } from '@kms-secrets/testkit/fake-kms'
import { describe, expect, it } from 'vitest'
import { createSecretOpener } from '../src/index.js'
import { importDataKey } from '../src/opener/data-key.js'
import { useNodeCrypto } from '../src/opener/node-crypto.js'
import { sealAll, sealOne } from './support/seal.js'

function flipBit(b64: string, bit: number): string {
  const bytes = Buffer.from(b64, 'base64')
  bytes[bit >> 3]! ^= 1 << (bit & 7)
  return bytes.toString('base64')
}

async function warmOpener() {
  const kms = createFakeKms()
  const [env, value] = await sealOne(kms, 'json')
  const opener = createSecretOpener({ provider: kms })
  // Warm cache: tampered envelopes reuse the genuine data key, so only AES-GCM stands between them and a value.
  await expect(opener.open(env, { file: 'db.secret.json' })).resolves.toEqual(value)
  return { kms, env, opener }
}

describe('importDataKey', () => {
  it('on node:crypto hosts: zeroes the raw key at once and holds a secret KeyObject (native memory)', async () => {
    const raw = new Uint8Array(32).fill(7)
    const handle = await importDataKey(raw, 'key-1')
    expect(raw.every((b) => b === 0)).toBe(true)
    expect(handle.keyId).toBe('key-1')
    expect(handle.key).toMatchObject({ type: 'secret', symmetricKeySize: 32 })
    expect(inspect(handle, { depth: 10, showHidden: true })).not.toMatch(/7, 7, 7|BwcH/)
  })

  it('without node:crypto (workerd): zeroes the raw key at once and yields non-extractable AES-GCM (v1) and HKDF (v2) keys', async () => {
    useNodeCrypto(false)
    try {
      const raw = new Uint8Array(32).fill(7)
      const imported = await importDataKey(raw, 'key-1')
      const handle = imported.key as WebKey & { hkdf: NonNullable<WebKey['hkdf']> }
      expect(raw.every((b) => b === 0)).toBe(true)
      expect(imported.keyId).toBe('key-1')
      expect(handle.aes).toMatchObject({
        extractable: false,
        usages: ['decrypt'],
        algorithm: { name: 'AES-GCM', length: 256 },
      })
      expect(handle.hkdf).toMatchObject({ extractable: false, algorithm: { name: 'HKDF' } })
      expect([...handle.hkdf.usages].sort()).toEqual(['deriveBits', 'deriveKey'])
      for (const key of [handle.aes, handle.hkdf]) await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow()
      expect(inspect(handle, { depth: 10, showHidden: true })).not.toMatch(/7, 7, 7|BwcH/)
    } finally {
      useNodeCrypto(true)
    }
  })

  it('gives null (→ ERR_ENVELOPE_AUTH) for a KMS plaintext that is not a 32-byte data key, and zeroes it', async () => {
    const raw = new Uint8Array(16).fill(9)
    expect((await importDataKey(raw)).key).toBeNull()
    expect(raw.every((b) => b === 0)).toBe(true)
  })

  it('never holds key bytes in the opener: the plaintext KMS handed out is zeroed after the open', async () => {
    const kms = createFakeKms()
    const [env] = await sealOne(kms, 'json')
    const given: Uint8Array[] = []
    const spy = {
      ...kms,
      decrypt: async (...a: Parameters<typeof kms.decrypt>) => {
        const r = await kms.decrypt(...a)
        given.push(r.plaintext)
        return r
      },
    }
    await createSecretOpener({ provider: spy }).open(env, { file: 'f' })
    expect(given).toHaveLength(1)
    expect(given[0]!.every((b) => b === 0)).toBe(true)
  })
})

describe('tampered envelopes → ERR_ENVELOPE_AUTH, never wrong plaintext', () => {
  const fields = ['iv', 'data', 'tag'] as const
  it.each(fields)('every single-bit flip in %s', async (field) => {
    const { env, opener } = await warmOpener()
    const bits = Buffer.from(env[field], 'base64').length * 8
    for (let bit = 0; bit < bits; bit++) {
      const bad = { ...env, [field]: flipBit(env[field], bit) }
      await expect(opener.open(bad, { file: 'db.secret.json' })).rejects.toMatchObject({ code: 'ERR_ENVELOPE_AUTH' })
    }
  })

  it.each(fields)('every truncation of %s', async (field) => {
    const { env, opener } = await warmOpener()
    const bytes = Buffer.from(env[field], 'base64')
    for (let n = 0; n < bytes.length; n++) {
      const bad = { ...env, [field]: bytes.subarray(0, n).toString('base64') }
      const err = await rejection(opener.open(bad, { file: 'f' }))
      expect(['ERR_ENVELOPE_AUTH', 'ERR_ENVELOPE_FIELD']).toContain(err.code)
    }
  })

  it('a changed id, format, context value or shape (authenticated as AAD)', async () => {
    const { env, opener } = await warmOpener()
    const variants: SealedEnvelope[] = [
      { ...env, id: 'api.secret.json' },
      { ...env, id: `${env.id.slice(0, -1)}N` },
      { ...env, format: 'yaml' },
      { ...env, context: { ...env.context, env: 'tesu' } },
      { ...env, context: { ...env.context, extra: 'x' } },
      { ...env, shape: { object: {} } },
    ]
    for (const bad of variants) {
      const err = await rejection(opener.open(bad, { file: 'db.secret.json' }))
      expect(err.code).toBe('ERR_ENVELOPE_AUTH')
    }
  })

  it('a changed context with a cold cache is refused by KMS (EncryptionContext mismatch)', async () => {
    const kms = createFakeKms()
    const [env] = await sealOne(kms, 'json')
    const err = await rejection(
      createSecretOpener({ provider: kms }).open({ ...env, context: { app: 'apj', env: 'test' } }, { file: 'f' }),
    )
    expect(err.code).toBe('ERR_KMS_INVALID_CIPHERTEXT')
  })

  it('envelopes swapped between two files of one build (same data key)', async () => {
    const kms = createFakeKms()
    const { envelopes } = await sealAll(kms, [
      { id: 'a.secret.json', format: 'json', text: '{"a":"AAAAAAAA"}' },
      { id: 'b.secret.json', format: 'json', text: '{"b":"BBBBBBBB"}' },
    ])
    const [a, b] = envelopes as [SealedEnvelope, SealedEnvelope]
    const opener = createSecretOpener({ provider: kms })
    const crossed = [
      { ...a, iv: b.iv, data: b.data, tag: b.tag },
      { ...b, iv: a.iv, data: a.data, tag: a.tag },
    ]
    for (const bad of crossed)
      await expect(opener.open(bad, { file: 'x' })).rejects.toMatchObject({ code: 'ERR_ENVELOPE_AUTH' })
  })

  it('a data key wrapped for another file set (other blob, other key)', async () => {
    const kms = createFakeKms()
    const [a] = await sealOne(kms, 'json')
    const [b] = await sealOne(kms, 'json')
    const opener = createSecretOpener({ provider: kms })
    // v2: the key commitment refuses the other data key before AES-GCM is even tried.
    await expect(opener.open({ ...a, kms: b.kms }, { file: 'x' })).rejects.toMatchObject({
      code: 'ERR_ENVELOPE_COMMITMENT',
    })
  })

  it('a direct blob moved into a sealed envelope (KMS plaintext is not a data key)', async () => {
    const kms = createFakeKms()
    const [env] = await sealOne(kms, 'json')
    const blob = kms.wrap(
      env.kms.keyId,
      new TextEncoder().encode('short'),
      '{"app":"api","env":"test","kms-secrets":"1"}',
    )
    const opener = createSecretOpener({ provider: kms })
    await expect(opener.open({ ...env, kms: { ...env.kms, blob } }, { file: 'x' })).rejects.toMatchObject({
      code: 'ERR_ENVELOPE_AUTH',
    })
  })
})
