import { CipherSuite, DhkemP256HkdfSha256, ExportOnly, HkdfSha256 } from '@hpke/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { exportFromEnc } from '../src/project/hpke-receiver.js'
import { importRecipientKey, importWithPublicKey } from '../src/project/recipient-key.js'

// @hpke/core is a devDependency here only: the reference the runtime's own receiver must match byte for byte.
const suite = new CipherSuite({ kem: new DhkemP256HkdfSha256(), kdf: new HkdfSha256(), aead: new ExportOnly() })
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max })

async function keyPair(ikm: Uint8Array) {
  const pair = await suite.kem.deriveKeyPair(ikm.buffer as ArrayBuffer)
  const sk = new Uint8Array(await suite.kem.serializePrivateKey(pair.privateKey))
  const pk = new Uint8Array(await suite.kem.serializePublicKey(pair.publicKey))
  return { pair, sk, pk }
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])

describe('runtime HPKE receiver (DHKEM P-256, HKDF-SHA256, export-only) vs @hpke/core', () => {
  it('Export after SetupBaseR equals the sender export of @hpke/core for random keys, info and contexts', async () => {
    await fc.assert(
      fc.asyncProperty(
        bytes(32, 64),
        bytes(32, 32),
        bytes(0, 80),
        bytes(0, 80),
        fc.integer({ min: 1, max: 32 }),
        async (ikm, ekm, info, exporterContext, length) => {
          const { pair, sk, pk } = await keyPair(ikm)
          const sender = await suite.createSenderContext({ recipientPublicKey: pair.publicKey, info, ekm })
          const expected = new Uint8Array(await sender.export(exporterContext, length))
          // The runtime finds the public key itself (ECDH with G, then the y that `isProjectKey` accepts).
          const key = await importRecipientKey(sk, async (candidate) => equal(candidate, pk))
          expect(key).not.toBeNull()
          expect(sk.every((b) => b === 0)).toBe(true)
          const enc = new Uint8Array(sender.enc)
          expect(await exportFromEnc(key!, enc, info, exporterContext, length)).toEqual(expected)
          // And @hpke/core's own receiver agrees (sanity of the reference).
          const recipientKey = await suite.kem.deserializePrivateKey((await keyPair(ikm)).sk.buffer as ArrayBuffer)
          const recipient = await suite.createRecipientContext({ recipientKey, enc, info })
          expect(new Uint8Array(await recipient.export(exporterContext, length))).toEqual(expected)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('keeps the private key non-extractable, and both y candidates are tried', async () => {
    const { sk, pk } = await keyPair(new Uint8Array(32).fill(3))
    const seen: Uint8Array[] = []
    const key = await importRecipientKey(sk, async (c) => {
      seen.push(c)
      return equal(c, pk)
    })
    expect(key!.privateKey).toMatchObject({ extractable: false, usages: ['deriveBits'], type: 'private' })
    await expect(crypto.subtle.exportKey('jwk', key!.privateKey)).rejects.toThrow()
    expect(seen.some((c) => equal(c, pk))).toBe(true)
    expect(seen.every((c) => c.length === 65 && c[0] === 4 && equal(c.subarray(1, 33), pk.subarray(1, 33)))).toBe(true)
  })

  it('Bun/Deno path (public key from node:crypto ECDH, PKCS #8 with it) gives the same key as the WebCrypto-only one', async () => {
    const { pair, sk, pk } = await keyPair(new Uint8Array(32).fill(6))
    const sender = await suite.createSenderContext({ recipientPublicKey: pair.publicKey, info: new Uint8Array([1]) })
    const expected = new Uint8Array(await sender.export(new Uint8Array([2]), 32))
    const key = await importWithPublicKey(sk.slice(), async (c) => equal(c, pk))
    expect(key!.publicKey).toEqual(pk)
    expect(key!.privateKey).toMatchObject({ extractable: false, type: 'private' })
    const enc = new Uint8Array(sender.enc)
    expect(await exportFromEnc(key!, enc, new Uint8Array([1]), new Uint8Array([2]), 32)).toEqual(expected)
    expect(await importWithPublicKey(sk.slice(), async () => false)).toBeNull()
    expect(await importWithPublicKey(new Uint8Array(32), async () => true)).toBeNull()
  })

  it('returns null for another project key (no candidate accepted), a non-32-byte key or an invalid scalar', async () => {
    const { sk } = await keyPair(new Uint8Array(32).fill(4))
    expect(await importRecipientKey(sk, async () => false)).toBeNull()
    expect(await importRecipientKey(new Uint8Array(31).fill(1), async () => true)).toBeNull()
    expect(await importRecipientKey(new Uint8Array(32), async () => true)).toBeNull()
    expect(await importRecipientKey(new Uint8Array(32).fill(0xff), async () => true)).toBeNull()
  })

  it('rejects an enc that is not a P-256 point', async () => {
    const { sk, pk } = await keyPair(new Uint8Array(32).fill(5))
    const key = await importRecipientKey(sk, async (c) => equal(c, pk))
    const bad = new Uint8Array(65).fill(1)
    bad[0] = 4
    await expect(exportFromEnc(key!, bad, new Uint8Array(0), new Uint8Array(0), 32)).rejects.toThrow()
  })
})
