import { describe, expect, it } from 'vitest'
import {
  decodeEnvelope,
  decodePayload,
  encodeEnvelope,
  envelopeAad,
  envelopeEncryptionContext,
  isEnvelopeText,
  isSealedEnvelopeText,
  type SealedEnvelope,
  wrapBlob,
} from '../src/index.js'

const env: SealedEnvelope = {
  kmsSecrets: 1,
  alg: 'AES-256-GCM',
  mode: 'envelope',
  id: 'db.secret.json',
  format: 'json',
  kms: { provider: 'tencent', region: 'ap-guangzhou', keyId: 'k', blob: 'b-k-c-k-d' },
  context: { z: '1', a: '2' },
  shape: { object: { b: 'string', a: 'number' } },
  iv: Buffer.alloc(12, 1).toString('base64'),
  data: '',
  tag: Buffer.alloc(16, 2).toString('base64'),
}

describe('isEnvelopeText', () => {
  it.each([
    [encodeEnvelope(env), true],
    ['  {"kmsSecrets":1}', true],
    ['{\n\t"kmsSecrets" : 2 }', true],
    ['{"a":1,"kmsSecrets":1}', true],
    ['{"a":1,"kmsSecrets":', false],
    ['{"host":"db"}', false],
    ['["kmsSecrets"]', false],
    ['kmsSecrets: 1', false],
    ['', false],
  ])('%j → %s', (text, expected) => {
    expect(isEnvelopeText(text)).toBe(expected)
  })
  it('never throws on non-strings', () => {
    expect(isEnvelopeText(undefined as never)).toBe(false)
  })
})

describe('isSealedEnvelopeText', () => {
  const text = encodeEnvelope(env)
  it.each([
    ['a valid envelope', text, true],
    ['the marker with a value in another field', JSON.stringify({ ...env, password: 'x' }), false],
    ['a key twice (a value in the first "data")', `{"data":"x",${text.slice(1)}`, false],
    ['the marker only', '{"kmsSecrets":1}', false],
    ['plaintext', '{"host":"db"}', false],
    ['not JSON', '{"kmsSecrets":', false],
  ])('%s → %s', (_name, t, expected) => {
    expect(isEnvelopeText(t)).toBe(t !== '{"host":"db"}')
    expect(isSealedEnvelopeText(t)).toBe(expected)
  })
})

describe('encodeEnvelope', () => {
  it('writes the fixed field order, 2-space indent and a trailing newline', () => {
    const shuffled = Object.fromEntries(Object.entries(env).reverse()) as unknown as SealedEnvelope
    const text = encodeEnvelope(shuffled)
    expect(text).toBe(encodeEnvelope(env))
    expect(Object.keys(JSON.parse(text))).toEqual([
      'kmsSecrets',
      'alg',
      'mode',
      'id',
      'format',
      'kms',
      'context',
      'shape',
      'iv',
      'data',
      'tag',
    ])
    expect(Object.keys(JSON.parse(text).kms)).toEqual(['provider', 'region', 'keyId', 'blob'])
    expect(text.endsWith('}\n')).toBe(true)
    expect(text.split('\n')[1]).toBe('  "kmsSecrets": 1,')
  })
})

describe('envelopeAad', () => {
  it('is canonical JSON of v/alg/mode/id/format/context/shape with sorted keys', () => {
    expect(new TextDecoder().decode(envelopeAad(env))).toBe(
      '{"alg":"AES-256-GCM","context":{"a":"2","z":"1"},"format":"json","id":"db.secret.json","mode":"envelope",' +
        '"shape":{"object":{"a":"number","b":"string"}},"v":1}',
    )
  })
  it('omits an absent shape and ignores kms/iv/data/tag', () => {
    const { shape: _s, ...rest } = env
    const other = { ...rest, kms: { ...env.kms, region: 'x' }, iv: 'AAAAAAAAAAAAAAAA' }
    expect(new TextDecoder().decode(envelopeAad(other))).not.toContain('shape')
    expect(envelopeAad(other)).toEqual(envelopeAad(rest))
  })
})

describe('envelopeEncryptionContext', () => {
  it('envelope mode adds the marker; direct mode sends the bare context or none', () => {
    expect(envelopeEncryptionContext(env)).toBe('{"a":"2","kms-secrets":"1","z":"1"}')
    const direct = wrapBlob({ blob: 'x', region: 'ap-guangzhou', id: 'a.secret.txt', format: 'text' })
    expect(envelopeEncryptionContext(direct)).toBeUndefined()
    expect(envelopeEncryptionContext({ ...direct, context: { b: '1', a: '2' } })).toBe('{"a":"2","b":"1"}')
  })
})

describe('decodeEnvelope field checks', () => {
  const bad = (patch: Record<string, unknown>) => JSON.stringify({ ...env, ...patch })
  it.each([
    ['id empty', bad({ id: '' }), 'ERR_ENVELOPE_FIELD'],
    ['id too long', bad({ id: 'x'.repeat(1025) }), 'ERR_ENVELOPE_FIELD'],
    ['region empty', bad({ kms: { ...env.kms, region: '' } }), 'ERR_ENVELOPE_FIELD'],
    ['keyId empty in envelope mode', bad({ kms: { ...env.kms, keyId: '' } }), 'ERR_ENVELOPE_FIELD'],
    ['blob empty', bad({ kms: { ...env.kms, blob: '' } }), 'ERR_ENVELOPE_FIELD'],
    ['kms not object', bad({ kms: 'x' }), 'ERR_ENVELOPE_FIELD'],
    ['context array', bad({ context: [] }), 'ERR_ENVELOPE_FIELD'],
    ['shape bogus', bad({ shape: { object: { a: 'date' } } }), 'ERR_ENVELOPE_FIELD'],
    ['shape two keys', bad({ shape: { array: 'string', object: {} } }), 'ERR_ENVELOPE_FIELD'],
    ['iv base64url', bad({ iv: Buffer.alloc(12, 0xfb).toString('base64url') }), 'ERR_ENVELOPE_FIELD'],
    ['tag missing padding', bad({ tag: env.tag.replace(/=+$/, '') }), 'ERR_ENVELOPE_FIELD'],
    ['version 1.5', bad({ kmsSecrets: 1.5 }), 'ERR_ENVELOPE_VERSION'],
    ['version null', bad({ kmsSecrets: null }), 'ERR_ENVELOPE_FIELD'],
  ])('%s → %s', (_name, text, code) => {
    expect(() => decodeEnvelope(text, 'f.secret.json')).toThrow(
      expect.objectContaining({ code, file: 'f.secret.json' }),
    )
  })
  it('accepts a direct envelope with an empty keyId', () => {
    const direct = wrapBlob({ blob: 'x-k-y', region: 'ap-guangzhou', id: 'a.secret.txt', format: 'text' })
    expect(direct.kms.keyId).toBe('')
    expect(decodeEnvelope(encodeEnvelope(direct))).toEqual(direct)
  })
  it('messages name the file and field, never the value', () => {
    try {
      decodeEnvelope(bad({ format: 'S3CR3T-VALUE' }), 'cfg.secret.json')
    } catch (e) {
      expect((e as Error).message).toContain('cfg.secret.json')
      expect((e as Error).message).toContain('"format"')
      expect((e as Error).message).not.toContain('S3CR3T')
    }
  })
})

describe('decodePayload', () => {
  const enc = (s: string) => new TextEncoder().encode(s)
  it.each([
    ['json', '{"a":1}', { a: 1 }],
    ['yaml', '{"a":[1]}', { a: [1] }],
    ['env', '{"A":"x"}', { A: 'x' }],
    ['text', 'héllo', 'héllo'],
  ] as const)('%s', (format, text, value) => {
    expect(decodePayload(enc(text), format)).toEqual(value)
  })
  it('rejects invalid UTF-8 and invalid JSON without quoting them', () => {
    expect(() => decodePayload(new Uint8Array([0xff, 0xfe]), 'text')).toThrow(
      expect.objectContaining({ code: 'ERR_ENVELOPE_FIELD' }),
    )
    expect(() => decodePayload(enc('SECRETnotjson'), 'json')).toThrow(
      expect.objectContaining({ code: 'ERR_ENVELOPE_FIELD' }),
    )
    try {
      decodePayload(enc('SECRETnotjson'), 'json')
    } catch (e) {
      expect((e as Error).message).not.toContain('SECRET')
    }
  })
})
