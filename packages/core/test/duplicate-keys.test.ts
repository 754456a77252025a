import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { findDuplicateKey } from '../src/envelope/duplicate-keys.js'
import { decodeEnvelope, isEnvelopeText, isKmsSecretsError } from '../src/index.js'
import { loadVectors, validVectorEntries } from './support/vectors.js'

const runs = Number(process.env.FUZZ_RUNS ?? 300)

/** A key as JSON with its first character written as a \u escape (the same key to JSON.parse). */
const escapedKey = (k: string): string =>
  `"\\u${k.charCodeAt(0).toString(16).padStart(4, '0')}${JSON.stringify(k.slice(1)).slice(1)}`

describe('findDuplicateKey', () => {
  it.each([
    ['{}', undefined],
    ['{"a":1,"b":{"a":1},"c":[{"a":1},{"a":2}]}', undefined],
    ['{"a":"{\\"a\\":1,\\"a\\":2}","b":"\\\\"}', undefined],
    ['[{"a":1},{"b":[1,{"a":{}}]}]', undefined],
    ['"a"', undefined],
    ['{"a":1,"a":1}', ['a']],
    ['{"a":1,"b":{"c":"}","c":2}}', ['b', 'c']],
    ['{"d\\u0061ta":"x","data":"y"}', ['data']],
    ['{"a\\\\":1,"a\\\\":2}', ['a\\']],
    ['{"x":[1,{"a":[]},{"b":1, "b" :2}]}', ['x', 2, 'b']],
    [' { "s" : "\\"" , "t" : { } , "s" : 0 } ', ['s']],
    ['[{},"x",{"a":{},"b":[]},{"a":1,"a":2}]', [3, 'a']],
    [`{${Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`).join(',')}}`, undefined],
    [`{${Array.from({ length: 40 }, (_, i) => `"k${i % 30}":${i}`).join(',')}}`, ['k0']],
    [`{${Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`).join(',')},"k3":0}`, ['k3']],
  ])('%s → %j', (text, expected) => {
    JSON.parse(text)
    expect(findDuplicateKey(text)).toEqual(expected)
  })

  // JSON trees whose objects are entry lists (keys from a small alphabet, so equal keys are common), written with
  // random spacing and random \u escapes of key characters: the scan finds a duplicate exactly when one exists.
  type Tree = number | string | Tree[] | { entries: [string, Tree][] }
  const { tree } = fc.letrec<{ tree: Tree }>((t) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.integer(),
      fc.constantFrom('', '"', '\\', '{"a":1,"a":2}', '}', ']'),
      fc.array(t('tree'), { maxLength: 3 }),
      fc.record({
        entries: fc.array(fc.tuple(fc.constantFrom('a', 'b', 'ab', '"', '\\', 'é'), t('tree')), { maxLength: 4 }),
      }),
    ),
  }))
  const hasDuplicate = (v: Tree): boolean =>
    Array.isArray(v)
      ? v.some(hasDuplicate)
      : typeof v === 'object'
        ? new Set(v.entries.map(([k]) => k)).size < v.entries.length || v.entries.some(([, x]) => hasDuplicate(x))
        : false
  const write = (v: Tree, sp: string, esc: boolean): string => {
    if (Array.isArray(v)) return `[${sp}${v.map((x) => write(x, sp, esc)).join(`${sp},`)}]`
    if (typeof v !== 'object') return JSON.stringify(v)
    const key = (k: string) => (esc ? escapedKey(k) : JSON.stringify(k))
    return `{${v.entries.map(([k, x]) => `${sp}${key(k)}${sp}:${write(x, sp, esc)}`).join(',')}${sp}}`
  }
  it('property: finds a duplicate exactly when an object has two equal keys, escaped or not', () => {
    fc.assert(
      fc.property(tree, fc.constantFrom('', ' ', '\n  ', '\t'), fc.boolean(), (v, sp, esc) => {
        const text = write(v, sp, esc)
        JSON.parse(text)
        expect(findDuplicateKey(text) !== undefined).toBe(hasDuplicate(v))
      }),
      { numRuns: runs * 3 },
    )
  })
})

const { entries } = loadVectors()
const valid = validVectorEntries(entries)

/** Every key path of the objects of a parsed envelope (top level, kms, context, shape, nested). */
function keyPaths(v: unknown, prefix: string[] = []): string[][] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return []
  return Object.entries(v).flatMap(([k, x]) => [[...prefix, k], ...keyPaths(x, [...prefix, k])])
}

/** The JSON text of `v` with the last key of `path` written twice: first with `extra`, then with its own value. */
function withDuplicate(v: unknown, path: readonly string[], extra: unknown, escaped: boolean): string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return JSON.stringify(v)
  const out = Object.entries(v).map(
    ([k, x]) =>
      `${JSON.stringify(k)}:${path.length > 1 && path[0] === k ? withDuplicate(x, path.slice(1), extra, escaped) : JSON.stringify(x)}`,
  )
  if (path.length === 1) {
    const k = path[0]!
    const key = escaped && k !== '' ? escapedKey(k) : JSON.stringify(k)
    out.unshift(`${key}:${JSON.stringify(extra)}`)
  }
  return `{\n  ${out.join(',\n  ')}\n}\n`
}

const refusal = (text: string, file: string) => {
  try {
    decodeEnvelope(text, file)
  } catch (e) {
    if (isKmsSecretsError(e)) return e
    throw e
  }
  throw new Error('decoded')
}

describe('decodeEnvelope refuses a duplicated key', () => {
  it('has valid vectors of every mode, which still decode', () => {
    const modes = new Set(valid.map((e) => (JSON.parse(e.text) as { mode: string }).mode))
    expect([...modes].sort()).toEqual(['direct', 'envelope', 'project'])
    for (const entry of valid) {
      expect(findDuplicateKey(entry.text)).toBeUndefined()
      expect(decodeEnvelope(entry.text, entry.envelope).id).toBe(JSON.parse(entry.text).id)
    }
  })

  it('the plaintext in a first "data", the real envelope after it: ERR_ENVELOPE_PARSE naming file and key, never the value', () => {
    const entry = valid.find((e) => JSON.parse(e.text).mode === 'envelope')!
    const text = withDuplicate(JSON.parse(entry.text), ['data'], 'CANARY-plaintext', false)
    expect(isEnvelopeText(text)).toBe(true)
    expect(JSON.parse(text).data).toBe(JSON.parse(entry.text).data)
    const e = refusal(text, 'db.secret.json')
    expect(e).toMatchObject({ code: 'ERR_ENVELOPE_PARSE', file: 'db.secret.json' })
    expect(e.message).toContain('db.secret.json')
    expect(e.message).toContain('"data"')
    expect(e.message).not.toContain('CANARY')
    expect(e.hint).toContain('kms-secrets encrypt')
  })

  it('names a nested key by its path', () => {
    const entry = valid.find((e) => JSON.parse(e.text).mode === 'envelope')!
    const e = refusal(withDuplicate(JSON.parse(entry.text), ['kms', 'keyId'], 'CANARY', false), 'f.secret.json')
    expect(e.code).toBe('ERR_ENVELOPE_PARSE')
    expect(e.message).toContain('"kms.keyId"')
    expect(e.message).not.toContain('CANARY')
  })

  it('property: a duplicate of any key of any valid vector (top level, kms, context, shape, nested), written first, escaped or not, with any value → ERR_ENVELOPE_PARSE without the value', () => {
    const cases = valid.flatMap((e) => keyPaths(JSON.parse(e.text)).map((path) => ({ entry: e, path })))
    expect(new Set(cases.map((c) => c.path[0]))).toEqual(
      new Set([
        'kmsSecrets',
        'alg',
        'mode',
        'id',
        'format',
        'kms',
        'context',
        'shape',
        'enc',
        'salt',
        'commit',
        'iv',
        'data',
        'tag',
      ]),
    )
    expect(cases.some((c) => c.path[0] === 'context' && c.path.length === 2)).toBe(true)
    expect(cases.some((c) => c.path[0] === 'shape' && c.path.length > 2)).toBe(true)
    const canary = fc.string({ minLength: 1, maxLength: 24 }).map((s) => `CANARY-${s}`)
    const value = fc.oneof(
      canary,
      canary.map((s) => ({ v: s })),
      canary.map((s) => [s]),
    )
    fc.assert(
      fc.property(fc.constantFrom(...cases), value, fc.boolean(), ({ entry, path }, extra, escaped) => {
        const text = withDuplicate(JSON.parse(entry.text), path, extra, escaped)
        const e = refusal(text, entry.envelope)
        expect(e.code).toBe('ERR_ENVELOPE_PARSE')
        expect(e.message).toContain(entry.envelope)
        expect(e.message).not.toContain('CANARY')
        expect(e.hint).not.toContain('CANARY')
      }),
      { numRuns: runs },
    )
  })

  it('a duplicate with the same value is refused too', () => {
    for (const entry of valid) {
      const obj = JSON.parse(entry.text)
      expect(refusal(withDuplicate(obj, ['kmsSecrets'], obj.kmsSecrets, false), entry.envelope).code).toBe(
        'ERR_ENVELOPE_PARSE',
      )
    }
  })
})
