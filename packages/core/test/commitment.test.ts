import { randomBytes } from 'node:crypto'
import { createFakeKms, type FakeKms } from '@kms-secrets/testkit/fake-kms'
import { describe, expect, it } from 'vitest'
import { aesGcmOpen } from '../src/crypto/aead.js'
import {
  createSealer,
  deriveCommittedKey,
  encryptionContextFor,
  envelopeAad,
  equalConstantTime,
  type KmsProvider,
  openEnvelope,
  type SealedEnvelope,
} from '../src/index.js'
import { envelopeEncryptionContext } from '../src/open.js'
import { toBase64 } from '../src/util/base64.js'
import { sealText } from './support/seal.js'
import { forgeTwoKeyGcm } from './support/two-key-gcm.js'

const enc = (s: string) => new TextEncoder().encode(s)
const b64 = (s: string | undefined) => new Uint8Array(Buffer.from(s ?? '', 'base64'))
const reviewed = enc('feature-flag: off, reviewed ok..') // 32 bytes: block-aligned

/** Two data keys of one CMK, as anyone allowed GenerateDataKey gets them (plaintext + blob). */
async function twoDataKeys(kms: FakeKms) {
  const encryptionContext = encryptionContextFor({})
  const a = await kms.generateDataKey({ keyId: 'fake-key-1', encryptionContext })
  const b = await kms.generateDataKey({ keyId: 'fake-key-1', encryptionContext })
  return { a, b }
}

function head(version: 1 | 2, blob: string): SealedEnvelope {
  return {
    kmsSecrets: version,
    alg: 'AES-256-GCM',
    mode: 'envelope',
    id: 'flag.secret.txt',
    format: 'text',
    kms: { provider: 'tencent', region: 'ap-guangzhou', keyId: 'fake-key-1', blob },
    context: {},
    iv: toBase64(randomBytes(12)),
    data: '',
    tag: '',
  }
}

describe('the two-key ("invisible salamanders") attack on kms.blob', () => {
  it('v1 ACCEPTS one (iv, data, tag) under two data keys: swapping only kms.blob flips the opened value', async () => {
    const kms = createFakeKms()
    const { a, b } = await twoDataKeys(kms)
    const env = head(1, a.ciphertextBlob)
    const forged = forgeTwoKeyGcm(a.plaintext, b.plaintext, b64(env.iv), envelopeAad(env), reviewed)
    const sealed = { ...env, data: toBase64(forged.data), tag: toBase64(forged.tag) }
    const original = await openEnvelope(sealed, { provider: kms })
    const swapped = await openEnvelope({ ...sealed, kms: { ...sealed.kms, blob: b.ciphertextBlob } }, { provider: kms })
    expect(original.subarray(0, 32)).toEqual(reviewed)
    expect(swapped).not.toEqual(original)
  })

  it('v2 refuses it with ERR_ENVELOPE_COMMITMENT, although AES-GCM alone would accept the forged tag', async () => {
    const kms = createFakeKms()
    const { a, b } = await twoDataKeys(kms)
    const salt = randomBytes(32)
    const ka = deriveCommittedKey(a.plaintext, salt)
    const kb = deriveCommittedKey(b.plaintext, salt)
    const env = { ...head(2, a.ciphertextBlob), salt: toBase64(salt), commit: toBase64(ka.commit) }
    const forged = forgeTwoKeyGcm(ka.key, kb.key, b64(env.iv), envelopeAad(env), reviewed)
    const sealed = { ...env, data: toBase64(forged.data), tag: toBase64(forged.tag) }
    expect((await openEnvelope(sealed, { provider: kms })).subarray(0, 32)).toEqual(reviewed)
    const swapped = { ...sealed, kms: { ...sealed.kms, blob: b.ciphertextBlob } }
    // The GCM layer really is fooled: only the commitment stands in the way.
    expect(() => aesGcmOpen(kb.key, { iv: b64(env.iv), ...forged }, envelopeAad(swapped))).not.toThrow()
    await expect(openEnvelope(swapped, { provider: kms })).rejects.toMatchObject({ code: 'ERR_ENVELOPE_COMMITMENT' })
  })

  it('v2 refuses a blob swapped to another data key of the same CMK (a rotate-looking diff)', async () => {
    const kms = createFakeKms()
    const one = await sealText(kms, 'x')
    const two = await sealText(kms, 'y')
    await expect(openEnvelope({ ...one, kms: two.kms }, { provider: kms })).rejects.toMatchObject({
      code: 'ERR_ENVELOPE_COMMITMENT',
    })
  })
})

describe('v2 sealing', () => {
  it('writes version 2 with a fresh 32-byte salt and the HKDF commitment of the data key', async () => {
    const kms = createFakeKms()
    const given: Uint8Array[] = []
    const spy: KmsProvider = {
      ...kms,
      generateDataKey: async (r) => {
        const dk = await kms.generateDataKey(r)
        given.push(Uint8Array.from(dk.plaintext))
        return dk
      },
    }
    const sealer = createSealer({ provider: spy, keyId: 'fake-key-1' })
    const x = await sealer.seal({ id: 'a.secret.txt', format: 'text', payload: enc('same') })
    const y = await sealer.seal({ id: 'a.secret.txt', format: 'text', payload: enc('same') })
    sealer.dispose()
    expect(x.kmsSecrets).toBe(2)
    expect(b64(x.salt)).toHaveLength(32)
    expect(x.salt).not.toBe(y.salt)
    expect(b64(x.commit)).toEqual(deriveCommittedKey(given[0]!, b64(x.salt)).commit)
    // Not encrypted under the data key itself (v1) but under the derived key.
    expect(() => aesGcmOpen(given[0]!, { iv: b64(x.iv), data: b64(x.data), tag: b64(x.tag) }, envelopeAad(x))).toThrow()
  })

  it('compares commitments in constant time and by length', () => {
    expect(equalConstantTime(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true)
    expect(equalConstantTime(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false)
    expect(equalConstantTime(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false)
  })
})

describe('kms.keyId is checked against KMS and (v2) authenticated', () => {
  /** A KMS that reports whatever CMK the caller wants (stands in for a Decrypt response we cannot check). */
  const lying = (kms: FakeKms, keyId: string): KmsProvider => ({
    ...kms,
    decrypt: async (r, o) => ({ ...(await kms.decrypt(r, o)), keyId }),
  })

  it('Precondition: the CMK KMS reports for the blob is kms.keyId (ERR_ENVELOPE_KEY, before any AES-GCM)', async () => {
    const kms = createFakeKms()
    for (const version of [1, 2] as const) {
      const sealer = createSealer({ provider: kms, keyId: 'fake-key-1', version })
      const env = await sealer.seal({ id: 'a.secret.txt', format: 'text', payload: enc('v') })
      sealer.dispose()
      const edited = { ...env, kms: { ...env.kms, keyId: 'fake-key-2' } }
      await expect(openEnvelope(edited, { provider: kms, file: 'a.secret.txt' })).rejects.toMatchObject({
        code: 'ERR_ENVELOPE_KEY',
        file: 'a.secret.txt',
      })
    }
  })

  it('Precondition: a Decrypt answer that does not report the CMK is refused (fail closed), in v1 and v2', async () => {
    const kms = createFakeKms()
    for (const version of [1, 2] as const) {
      const sealer = createSealer({ provider: kms, keyId: 'fake-key-1', version })
      const env = await sealer.seal({ id: 'a.secret.txt', format: 'text', payload: enc('v') })
      sealer.dispose()
      await expect(openEnvelope(env, { provider: lying(kms, '') })).rejects.toMatchObject({ code: 'ERR_ENVELOPE_KEY' })
    }
  })

  it('v2 keeps kms.keyId out of the AAD so rotate (ReEncrypt to another CMK, no Decrypt) still opens', async () => {
    // kms.keyId is authenticated by the CMK KMS reports (test above) and the key commitment binds the data key; were
    // it in the AAD, re-wrapping under another CMK would need Decrypt rights and a full re-seal.
    const kms = createFakeKms()
    const env = await sealText(kms, 'v')
    const moved = await kms.reEncrypt({
      ciphertextBlob: env.kms.blob,
      destinationKeyId: 'fake-key-2',
      sourceEncryptionContext: envelopeEncryptionContext(env),
      destinationEncryptionContext: envelopeEncryptionContext(env),
    })
    const rotated = { ...env, kms: { ...env.kms, keyId: moved.keyId, blob: moved.ciphertextBlob } }
    expect(await openEnvelope(rotated, { provider: kms })).toEqual(enc('v'))
    // The same blob under the old name is refused: the name must follow the blob.
    const misnamed = { ...rotated, kms: { ...rotated.kms, keyId: 'fake-key-1' } }
    await expect(openEnvelope(misnamed, { provider: kms })).rejects.toMatchObject({ code: 'ERR_ENVELOPE_KEY' })
  })
})
