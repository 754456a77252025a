import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromBase64Strict, type OpenFields, openFieldsOf, validateAnyEnvelope } from '../src/open.js'
import { loadVectors } from './support/vectors.js'

/**
 * `openFieldsOf` is the runtime's one-pass check and decode of an envelope; whatever it does not accept goes through
 * `validateAnyEnvelope`. So it must never accept what `validateAnyEnvelope` refuses, and the bytes it returns must be
 * exactly the strict decoding of each field.
 */
const runs = Number(process.env.FUZZ_RUNS ?? 2000)
const { entries } = loadVectors()
const parsed: Record<string, unknown>[] = []
for (const e of entries) {
  try {
    const obj: unknown = JSON.parse(e.text)
    if (typeof obj === 'object' && obj !== null && !Array.isArray(obj)) parsed.push(obj as Record<string, unknown>)
  } catch {}
}

const validates = (obj: unknown): boolean => {
  try {
    validateAnyEnvelope(obj)
    return true
  } catch {
    return false
  }
}

const binary = ['iv', 'data', 'tag', 'salt', 'commit', 'enc'] as const

function expectStrictBytes(obj: Record<string, unknown>, fields: OpenFields): void {
  for (const name of binary) {
    const text = obj[name]
    const bytes = fields[name]
    if (text === undefined) expect(bytes).toBeUndefined()
    else expect(bytes === undefined ? undefined : [...bytes]).toEqual([...fromBase64Strict(text as string)!])
  }
}

const names = [
  'kmsSecrets',
  'alg',
  'mode',
  'id',
  'format',
  'kms',
  'context',
  'shape',
  'salt',
  'commit',
  'iv',
  'data',
  'tag',
  'enc',
  'extra',
  'provider',
  'region',
  'keyId',
  'blob',
  'wrap',
  'project',
]
const b64Arb = fc.uint8Array({ maxLength: 70 }).map((b) => Buffer.from(b).toString('base64'))
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  b64Arb,
  b64Arb.map((s) => `${s}=`),
  b64Arb.map((s) => s.replace(/[+/]/g, (c) => (c === '+' ? '-' : '_'))),
  b64Arb.map((s) => ` ${s}`),
  b64Arb.map((s) => (s.length > 2 ? s.slice(0, -2) + (s.endsWith('==') ? 'B==' : 'B=') : s)),
  fc.string({ maxLength: 80 }),
  fc.constantFrom(
    '',
    'x'.repeat(65),
    'x'.repeat(257),
    'a'.repeat(64),
    1,
    2,
    3,
    0,
    null,
    undefined,
    true,
    [],
    {},
    'envelope',
    'direct',
    'project',
    'AES-256-GCM',
    'KMS',
    'HPKE-P256-AES-256-GCM',
    'SM2',
    'RSAES_OAEP_SHA_256',
    'tencent',
    'json',
    'text',
    'string',
    { object: {} },
    { array: 'string' },
    { object: { a: 'nope' } },
    { a: 1 },
    { a: 'b' },
  ),
)

type Edit = { where: 'top' | 'kms'; op: 'delete' | 'set'; name: string; value: unknown }
const editArb: fc.Arbitrary<Edit> = fc.record({
  where: fc.constantFrom('top' as const, 'kms' as const),
  op: fc.constantFrom('delete' as const, 'set' as const),
  name: fc.constantFrom(...names),
  value: valueArb,
})

function edited(base: Record<string, unknown>, edits: Edit[]): Record<string, unknown> {
  const obj: Record<string, unknown> = structuredClone(base)
  for (const e of edits) {
    const target =
      e.where === 'kms' && typeof obj.kms === 'object' && obj.kms !== null ? (obj.kms as Record<string, unknown>) : obj
    if (e.op === 'delete') delete target[e.name]
    else target[e.name] = e.value
  }
  return obj
}

describe('openFieldsOf (the runtime fast path) never accepts what validateAnyEnvelope refuses', () => {
  it('takes the fast path for every valid sealed vector (modes envelope and project), with the strict bytes', () => {
    let taken = 0
    for (const obj of parsed) {
      const fields = openFieldsOf(obj)
      const valid = validates(obj)
      if (fields !== undefined) {
        expect(valid).toBe(true)
        expectStrictBytes(obj, fields)
        taken++
      } else if (valid) {
        // Only mode "direct" is left to the slow path among valid envelopes.
        expect(obj.mode).toBe('direct')
      }
    }
    expect(taken).toBeGreaterThan(10)
  })

  it('property: any edit of any vector (fields dropped, added, retyped, non-canonical base64)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...parsed), fc.array(editArb, { minLength: 1, maxLength: 3 }), (base, edits) => {
        const obj = edited(base, edits)
        const fields = openFieldsOf(obj)
        if (fields === undefined) return
        expect(validates(obj)).toBe(true)
        expectStrictBytes(obj, fields)
      }),
      { numRuns: runs },
    )
  })

  it('refuses what only an inherited or non-plain object would supply', () => {
    const ok = parsed.find((o) => openFieldsOf(o) !== undefined)!
    const { iv, ...rest } = ok
    const inherited = Object.assign(Object.create({ iv }), rest)
    expect(openFieldsOf(inherited)).toBeUndefined()
    expect(openFieldsOf({ ...rest })).toBeUndefined()
    expect(openFieldsOf(Object.assign(Object.create(null), ok))).toBeDefined()
    expect(openFieldsOf([ok])).toBeUndefined()
    expect(openFieldsOf(null)).toBeUndefined()
  })
})
