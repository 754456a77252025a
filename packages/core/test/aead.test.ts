import { describe, expect, it } from 'vitest'
import { aesGcmOpen, aesGcmSeal, zero } from '../src/index.js'

const key = new Uint8Array(32).fill(3)
const aad = new TextEncoder().encode('aad')
const pt = new TextEncoder().encode('plaintext')

describe('AES-256-GCM', () => {
  it('seals with a fresh 12-byte IV and 16-byte tag and opens', () => {
    const a = aesGcmSeal(key, pt, aad)
    const b = aesGcmSeal(key, pt, aad)
    expect(a.iv).toHaveLength(12)
    expect(a.tag).toHaveLength(16)
    expect(a.data).toHaveLength(pt.length)
    expect(Buffer.from(a.iv).equals(Buffer.from(b.iv))).toBe(false)
    expect(aesGcmOpen(key, a, aad)).toEqual(pt)
  })
  it('matches a NIST-style known answer (fixed IV)', () => {
    // AES-256-GCM, key = 0x00*32, IV = 0x00*12, empty plaintext, empty AAD (McGrew & Viega test case 13).
    const s = aesGcmSeal(new Uint8Array(32), new Uint8Array(0), new Uint8Array(0), new Uint8Array(12))
    expect(Buffer.from(s.tag).toString('hex')).toBe('530f8afbc74536b9a963b4f1c4cb738b')
  })
  it.each<[string, { key?: Uint8Array; aad?: Uint8Array }]>([
    ['wrong key', { key: new Uint8Array(32).fill(4) }],
    ['wrong aad', { aad: new TextEncoder().encode('other') }],
    ['short key', { key: new Uint8Array(16) }],
  ])('%s → ERR_ENVELOPE_AUTH', (_name, patch) => {
    const s = aesGcmSeal(key, pt, aad)
    expect(() => aesGcmOpen(patch.key ?? key, s, patch.aad ?? aad)).toThrow(
      expect.objectContaining({ code: 'ERR_ENVELOPE_AUTH' }),
    )
  })
  it('refuses to seal with a key that is not 32 bytes (Precondition)', () => {
    expect(() => aesGcmSeal(new Uint8Array(16), pt, aad)).toThrow(expect.objectContaining({ code: 'ERR_INTERNAL' }))
  })
  it('zero() wipes a buffer', () => {
    const b = new Uint8Array([1, 2, 3])
    zero(b)
    expect([...b]).toEqual([0, 0, 0])
    zero(undefined)
  })
})
