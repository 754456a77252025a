import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeEnvelope, isKmsSecretsError, orderEnvelope, validateAnyEnvelope } from '../src/index.js'
import { loadVectors, validVectorEntries } from './support/vectors.js'

const { entries } = loadVectors()

/** The envelope the ordered copy gives (what decodeEnvelope returned before it kept a canonical parse as it is). */
function ordered(text: string): string {
  return JSON.stringify(orderEnvelope(validateAnyEnvelope(JSON.parse(text))))
}

/** `text` with the top-level fields and those of `kms` in the orders given (permutation keys, sorted by them). */
function reorder(text: string, top: number[], kms: number[]): string {
  const permute = (o: Record<string, unknown>, by: number[]) =>
    Object.fromEntries(
      Object.entries(o)
        .map((e, i) => [e, by[i % by.length]! * 100 + i] as const)
        .sort((a, b) => a[1] - b[1])
        .map(([e]) => e),
    )
  const obj = JSON.parse(text) as Record<string, unknown>
  if (typeof obj.kms === 'object' && obj.kms !== null) obj.kms = permute(obj.kms as Record<string, unknown>, kms)
  return JSON.stringify(permute(obj, top), null, 1)
}

const decoded = (text: string, file: string): unknown => {
  try {
    return decodeEnvelope(text, file)
  } catch (e) {
    return isKmsSecretsError(e) ? { error: e.code, message: e.message } : e
  }
}

describe('decodeEnvelope field order', () => {
  const valid = validVectorEntries(entries)

  it('has valid vectors of every mode to reorder', () => {
    const modes = new Set(valid.map((e) => (JSON.parse(e.text) as { mode: string }).mode))
    expect([...modes].sort()).toEqual(['direct', 'envelope', 'project'])
  })

  it('a file in on-disk order decodes to the same fields in the same order as the ordered copy', () => {
    for (const entry of valid)
      expect(JSON.stringify(decodeEnvelope(entry.text, entry.envelope))).toBe(ordered(entry.text))
  })

  const objects = entries.filter((e) => {
    try {
      const v: unknown = JSON.parse(e.text)
      return typeof v === 'object' && v !== null && !Array.isArray(v)
    } catch {
      return false
    }
  })

  it('property: any field order of any vector that is a JSON object (valid or not) decodes exactly as the ordered copy, or to the same error', () => {
    const perm = fc.array(fc.nat(20), { minLength: 1, maxLength: 16 })
    fc.assert(
      fc.property(fc.constantFrom(...objects), perm, perm, (entry, top, kms) => {
        const text = reorder(entry.text, top, kms)
        const got = decoded(text, entry.envelope)
        let want: unknown
        try {
          want = JSON.parse(ordered(text))
        } catch (e) {
          want = isKmsSecretsError(e) ? { error: e.code } : e
        }
        if ('error' in (want as object))
          expect((got as { error: string }).error).toBe((want as { error: string }).error)
        else {
          expect(JSON.stringify(got)).toBe(JSON.stringify(want))
          expect(Object.keys(got as object)).toEqual(Object.keys(want as object))
        }
      }),
      { numRuns: 400 },
    )
  })

  it('a reordered file with an unknown field still fails with ERR_ENVELOPE_FIELD', () => {
    const entry = valid[0]!
    const obj = JSON.parse(entry.text) as Record<string, unknown>
    const text = JSON.stringify({ extra: 1, ...obj })
    expect(decoded(text, entry.envelope)).toMatchObject({ error: 'ERR_ENVELOPE_FIELD' })
  })
})
