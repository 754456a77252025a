import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { stringify as yamlStringify } from 'yaml'
import { isKmsSecretsError, parseSecretFile, type SecretFormat, serializeSecret } from '../src/index.js'

const runs = Number(process.env.FUZZ_RUNS ?? 300)
const formats: SecretFormat[] = ['json', 'yaml', 'env']
const canary = 'QZXCANARY'
const secretCodes = /^ERR_SECRET_(PARSE|FORMAT|TOO_LARGE)$/

/** Parses and returns the error (or undefined); fails the property on any untyped throw. */
function parseError(text: string, format: SecretFormat): (Error & { code: string; hint?: string }) | undefined {
  try {
    parseSecretFile(text, format, 'f.secret')
    return undefined
  } catch (e) {
    expect(isKmsSecretsError(e), `untyped ${String(e)}`).toBe(true)
    expect((e as { code: string }).code).toMatch(secretCodes)
    return e as Error & { code: string; hint?: string }
  }
}

// Values carry the canary; keys are plain identifiers (key names are public by design).
const valueArb = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.string({ maxLength: 12 }).map((s) => `${canary}${s}`),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  ),
  node: fc.oneof(
    { depthSize: 'small' },
    tie('leaf'),
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/), tie('node'), { maxKeys: 3 }),
  ),
})).node
const objectArb = fc.dictionary(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,6}$/), valueArb, { minKeys: 1, maxKeys: 4 })
const flatArb = fc.dictionary(
  fc.stringMatching(/^[A-Z][A-Z0-9_]{0,6}$/),
  fc.string({ maxLength: 16 }).map((s) => `${canary}${s}`),
  { minKeys: 1, maxKeys: 4 },
)

function render(value: Record<string, unknown>, format: SecretFormat): string {
  if (format === 'json') return JSON.stringify(value, null, 2)
  if (format === 'yaml') return yamlStringify(value)
  // Values containing all three quote characters have no dotenv spelling (a typed ERR_SECRET_FORMAT).
  fc.pre(!['"', "'", '`'].every((q) => Object.values(value).some((v) => String(v).includes(q))))
  return serializeSecret(value, 'env')
}

type Edit = { kind: 'delete' | 'insert' | 'truncate'; at: number; char: string }
const editArb = fc.record({
  kind: fc.constantFrom<Edit['kind']>('delete', 'insert', 'truncate'),
  at: fc.nat(),
  char: fc.constantFrom(
    '"',
    "'",
    '{',
    '}',
    '[',
    ']',
    ':',
    ',',
    '\n',
    ' ',
    '#',
    '=',
    '\\',
    '&',
    '*',
    '-',
    '\u0000',
    'é',
  ),
})

function applyEdit(text: string, e: Edit): string {
  const at = text.length === 0 ? 0 : e.at % text.length
  if (e.kind === 'delete') return text.slice(0, at) + text.slice(at + 1)
  if (e.kind === 'insert') return text.slice(0, at) + e.char + text.slice(at)
  return text.slice(0, at)
}

describe('property: secret-file parsers', () => {
  it.each(formats)('%s: valid files round-trip through serializeSecret', (format) => {
    fc.assert(
      fc.property(format === 'env' ? flatArb : objectArb, (value) => {
        expect(parseSecretFile(render(value, format), format, 'f').value).toEqual(value)
      }),
      { numRuns: runs },
    )
  })

  it.each(formats)('%s: a damaged file fails typed, never quoting a value', (format) => {
    fc.assert(
      fc.property(
        format === 'env' ? flatArb : objectArb,
        fc.array(editArb, { minLength: 1, maxLength: 3 }),
        (value, edits) => {
          const text = edits.reduce(applyEdit, render(value, format))
          const e = parseError(text, format)
          if (e) {
            expect(`${e.message} ${e.hint}`).not.toContain(canary)
            if (e.code === 'ERR_SECRET_PARSE')
              expect(e.message).toMatch(/^\[ERR_SECRET_PARSE\] f\.secret(:\d+:\d+)?: invalid /)
          }
        },
      ),
      { numRuns: runs * 2 },
    )
  })

  it.each(formats)('%s: arbitrary text never throws untyped; parse errors never quote it', (format) => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }), (a, b) => {
        const e = parseError(`${a}${canary}${b}`, format)
        if (e?.code === 'ERR_SECRET_PARSE') expect(`${e.message} ${e.hint}`).not.toContain(canary)
      }),
      { numRuns: runs * 2 },
    )
  })

  it('json: the reported position is where JSON.parse also stops being valid', () => {
    fc.assert(
      fc.property(fc.json(), editArb, (json, edit) => {
        const text = applyEdit(json, edit)
        const e = parseError(text, 'json')
        if (e?.code !== 'ERR_SECRET_PARSE') return
        const m = /:(\d+):(\d+):/.exec(e.message)
        expect(m).not.toBeNull()
        const lines = text.split(/\r\n|\r|\n/)
        expect(Number(m![1])).toBeLessThanOrEqual(lines.length)
        expect(Number(m![2])).toBeLessThanOrEqual((lines[Number(m![1]) - 1]?.length ?? 0) + 1)
      }),
      { numRuns: runs * 2 },
    )
  })
})
