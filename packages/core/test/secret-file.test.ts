import { describe, expect, it } from 'vitest'
import type { SecretFormat } from '../src/index.js'
import {
  formatFromPath,
  inferShape,
  parseSecretFile,
  renderSecretTypes,
  renderShapeType,
  secretExtensions,
  secretExtensionsHint,
  secretFileRE,
  secretFormatByExtension,
  secretFormatOf,
  serializeSecret,
} from '../src/index.js'

describe('secretFileRE / formatFromPath', () => {
  it.each([
    ['/a/db.secret.json', 'json'],
    ['db.secret.yaml', 'yaml'],
    ['db.secret.yml?import', 'yaml'],
    ['.secret.env', 'env'],
    ['tls.secret.pem', 'text'],
    ['tls.secret.key', 'text'],
    ['tls.secret.crt', 'text'],
    ['notes.secret.txt', 'text'],
  ])('%s → %s', (path, format) => {
    expect(secretFileRE.test(path)).toBe(true)
    expect(formatFromPath(path)).toBe(format)
  })
  it.each(['db.json', 'db.secret.json.bak', 'db.secret.js', 'secret.json'])('%s is not a secret file', (path) => {
    expect(secretFileRE.test(path)).toBe(false)
  })
  it('every extension of the one table is a secret name and in the hint', () => {
    for (const ext of secretExtensions) {
      expect(secretFileRE.test(`a/x.secret.${ext}`)).toBe(true)
      expect(formatFromPath(`x.secret.${ext.toUpperCase()}`)).toBe(secretFormatByExtension[ext])
      expect(secretExtensionsHint()).toContain(`.${ext}`)
    }
  })
  it('secretFormatOf: ERR_SECRET_FORMAT for an unknown extension, naming the file', () => {
    expect(secretFormatOf('/a/db.secret.yml', 'db.secret.yml')).toBe('yaml')
    expect(() => secretFormatOf('/a/db.secret.toml', 'db.secret.toml')).toThrow(
      expect.objectContaining({ code: 'ERR_SECRET_FORMAT', file: 'db.secret.toml' }),
    )
  })
})

describe('parseSecretFile: values', () => {
  it.each<[SecretFormat, string, unknown]>([
    ['json', '{"a":"x","n":1,"b":true,"z":null,"l":[1,"2"]}', { a: 'x', n: 1, b: true, z: null, l: [1, '2'] }],
    ['yaml', 'a: x\nn: 1\nnested:\n  k: v\n', { a: 'x', n: 1, nested: { k: 'v' } }],
    ['yaml', 'base: &b {k: v}\nuse: *b\n', { base: { k: 'v' }, use: { k: 'v' } }],
    [
      'env',
      'A=1\n# c\n\nexport B="x\\ny"\nC=\'lit #\'  # comment\nD = spaced value\n',
      { A: '1', B: 'x\ny', C: 'lit #', D: 'spaced value' },
    ],
    ['env', 'M="line1\nline2"\nN=2\r\n', { M: 'line1\nline2', N: '2' }],
    ['json', '\ufeff{"bom":"ok"}', { bom: 'ok' }],
    // Any JSON value at the top level, as a bundler's JSON import.
    ['json', '[{"h":"a"},{"h":"b"}]', [{ h: 'a' }, { h: 'b' }]],
    ['json', '"a token"', 'a token'],
    ['json', '42', 42],
    ['json', 'true', true],
    ['json', 'null', null],
    ['yaml', '- a\n- b\n', ['a', 'b']],
    ['yaml', 'just a string\n', 'just a string'],
  ])('%s %j', (format, text, value) => {
    const parsed = parseSecretFile(text, format, `f.secret.${format}`)
    expect(parsed.value).toEqual(value)
    expect(new TextDecoder().decode(parsed.payload)).toBe(JSON.stringify(value))
  })
  it('keeps text as is', () => {
    const parsed = parseSecretFile('-----BEGIN KEY-----\nabc\n', 'text', 'k.secret.pem')
    expect(parsed.value).toBe('-----BEGIN KEY-----\nabc\n')
    expect(parsed.shape).toBe('string')
  })
})

describe('parseSecretFile: errors name file:line:column and never quote content', () => {
  it.each<[SecretFormat, string, number, number]>([
    ['json', '{\n  "a": "SECRETVALUE",\n  "b": SECRETBARE\n}', 3, 8],
    ['json', '{"a": "SECRETVALUE"', 1, 20],
    ['json', '{"a": "SECRETVALUE",}', 1, 21],
    ['json', '{"a": "SECRET\u0001"}', 1, 14],
    ['yaml', 'a: SECRETVALUE\n b: [SECRETVALUE\n', 1, 4],
    ['yaml', 'a: SECRETVALUE\na: SECRETVALUE\n', 2, 1],
    ['env', 'A=1\nSECRETVALUE\n', 2, 1],
    ['env', 'A=1\nB="SECRETVALUE\n', 2, 3],
    ['env', "A='SECRETVALUE' SECRETVALUE\n", 1, 16],
  ])('%s %j → %i:%i', (format, text, line, column) => {
    let error: unknown
    try {
      parseSecretFile(text, format, 'x.secret')
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ code: 'ERR_SECRET_PARSE', file: 'x.secret' })
    const message = (error as Error).message
    expect(message).toContain(`x.secret:${line}:${column}`)
    expect(message).not.toContain('SECRET\u0001')
    expect(`${message} ${(error as { hint?: string }).hint}`).not.toMatch(/SECRETVALUE|SECRETBARE/)
  })
  it('rejects non-JSON data with ERR_SECRET_FORMAT', () => {
    expect(() => parseSecretFile('a: .inf\n', 'yaml', 'y')).toThrow(
      expect.objectContaining({ code: 'ERR_SECRET_FORMAT' }),
    )
  })
  it('rejects an alias bomb', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for (let i = 1; i < 10; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      )
    expect(() => parseSecretFile(lines.join('\n'), 'yaml', 'bomb')).toThrow(
      expect.objectContaining({ code: 'ERR_SECRET_PARSE' }),
    )
  })
})

describe('shape', () => {
  it('infers and renders types, never values', () => {
    const shape = inferShape({ host: 'h', port: 5432, tls: { on: true }, tags: ['a'], 'x-y': null })
    expect(shape).toEqual({
      object: {
        host: 'string',
        port: 'number',
        tls: { object: { on: 'boolean' } },
        tags: { array: 'string' },
        'x-y': 'null',
      },
    })
    const text = renderShapeType(shape)
    expect(text).toContain('readonly host: string')
    expect(text).toContain('readonly "x-y": null')
    expect(text).toContain('readonly tags: string[]')
  })
})

describe('renderSecretTypes: any top-level JSON value', () => {
  it.each<[string, string, string]>([
    ['[{"host":"a","port":1}]', 'declare const secret: Array<{', 'readonly host: string'],
    ['["a","b"]', 'declare const secret: string[]', 'export default secret'],
    ['"token"', 'declare const secret: string', 'export default secret'],
    ['3', 'declare const secret: number', 'export default secret'],
    ['null', 'declare const secret: null', 'export default secret'],
  ])('%s → typed default export, no named exports', (json, declared, also) => {
    const { shape } = parseSecretFile(json, 'json', 'l.secret.json')
    const text = renderSecretTypes({ file: 'l.secret.json', format: 'json', shape })
    expect(text).toContain(declared)
    expect(text).toContain(also)
    expect(text).not.toContain('export declare const')
  })
})

describe('serializeSecret', () => {
  it.each<[SecretFormat, unknown]>([
    ['json', { a: 'x', n: 1 }],
    ['json', [1, 'two', { three: 3 }]],
    ['yaml', ['a', { b: 1 }]],
    ['yaml', { a: 'x', nested: { b: [1, 2] } }],
    ['env', { A: 'plain', B: 'has space', C: 'quote"d', D: "single'q", E: 'multi\nline' }],
    ['text', 'hello\n'],
  ])('%s round-trips', (format, value) => {
    const text = serializeSecret(value, format)
    expect(parseSecretFile(text, format, 'f').value).toEqual(value)
  })
})
