import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeBlob } from '../src/keys/blob.js'
import { decryptWithKey, encryptWithKey } from '../src/keys/key-cipher.js'
import { createKeyRecord, rotateKeyRecord } from '../src/keys/key-record.js'

const key = rotateKeyRecord(
  createKeyRecord({ keyId: 'blob-test-key', alias: 'blob', now: 1_700_000_000 }),
  1_700_000_100,
)
const plaintext = Buffer.from('the plaintext')

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return (error as { code?: string }).code
  }
  return undefined
}

describe('CiphertextBlob', () => {
  it('is three base64 segments joined by -k-, carrying key id and current version', () => {
    const blob = encryptWithKey(key, plaintext, '')
    expect(blob.split('-k-')).toHaveLength(3)
    expect(Buffer.from(blob, 'base64').toString('base64')).not.toBe(blob)
    const parsed = decodeBlob(blob)
    expect(parsed).toMatchObject({ keyId: 'blob-test-key', version: 2 })
    expect(parsed.iv).toHaveLength(12)
    expect(decryptWithKey(key, parsed, '')).toEqual(plaintext)
  })

  it('does not contain the plaintext in any encoding', () => {
    const blob = encryptWithKey(key, plaintext, '')
    const bytes = Buffer.concat(blob.split('-k-').map((s) => Buffer.from(s, 'base64')))
    expect(bytes.includes(plaintext)).toBe(false)
    expect(blob).not.toContain(plaintext.toString('base64'))
  })

  it('never decrypts after any single bit flip (property, 3000 cases)', () => {
    const blob = encryptWithKey(key, plaintext, '{"a":"b"}')
    const segments = blob.split('-k-').map((s) => Buffer.from(s, 'base64'))
    fc.assert(
      fc.property(fc.nat(2), fc.nat(), fc.nat(7), (segment, byte, bit) => {
        const parts = segments.map((s) => Buffer.from(s))
        const target = parts[segment]!
        target[byte % target.length]! ^= 1 << bit
        const tampered = parts.map((p) => p.toString('base64')).join('-k-')
        const code = codeOf(() => {
          const parsed = decodeBlob(tampered)
          if (parsed.keyId !== key.keyId) throw Object.assign(new Error(), { code: 'other-key' })
          decryptWithKey(key, parsed, '{"a":"b"}')
        })
        expect(['InvalidParameterValue.InvalidCiphertext', 'other-key']).toContain(code)
      }),
      { numRuns: 3000 },
    )
  })

  it('rejects every truncation and arbitrary strings without throwing anything else', () => {
    const blob = encryptWithKey(key, plaintext, '')
    for (let cut = 0; cut < blob.length; cut++) {
      expect(codeOf(() => decryptWithKey(key, decodeBlob(blob.slice(0, cut)), ''))).toBe(
        'InvalidParameterValue.InvalidCiphertext',
      )
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        expect(codeOf(() => decodeBlob(text))).toBe('InvalidParameterValue.InvalidCiphertext')
      }),
      { numRuns: 2000 },
    )
  })

  it('fails for another context, and for a version the key does not have', () => {
    const blob = decodeBlob(encryptWithKey(key, plaintext, '{"a":"b"}'))
    expect(codeOf(() => decryptWithKey(key, blob, '{"a":"c"}'))).toBe('InvalidParameterValue.InvalidCiphertext')
    const older = createKeyRecord({ keyId: 'blob-test-key', alias: 'blob', now: 0 })
    expect(codeOf(() => decryptWithKey(older, blob, '{"a":"b"}'))).toBe('InvalidParameterValue.InvalidCiphertext')
  })
})
