import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { envelopeAad } from '../src/envelope/aad.js'
import type { AnyEnvelope } from '../src/envelope/types.js'
import { canonicalJson } from '../src/util/canonical-json.js'

const decoder = new TextDecoder()

describe('envelopeAad', () => {
  it('FORMAT.md §3 example (v2, text, empty context, string shape)', () => {
    const env = { kmsSecrets: 2, alg: 'AES-256-GCM', mode: 'envelope', id: 't.secret.txt', format: 'text' }
    const text = decoder.decode(envelopeAad({ ...env, context: {}, shape: 'string' } as unknown as AnyEnvelope))
    expect(text).toBe(
      '{"alg":"AES-256-GCM","context":{},"format":"text","id":"t.secret.txt","mode":"envelope","shape":"string","v":2}',
    )
  })

  it('property: equals UTF-8 of canonicalJson({ v, alg, mode, id, format, context, shape? })', () => {
    const shape = fc.option(fc.oneof(fc.constant('string'), fc.dictionary(fc.string(), fc.jsonValue())), {
      nil: undefined,
    })
    fc.assert(
      fc.property(
        fc.record({
          kmsSecrets: fc.constantFrom(1, 2),
          alg: fc.string(),
          mode: fc.constantFrom('envelope', 'direct', 'project'),
          id: fc.string({ unit: 'grapheme' }),
          format: fc.constantFrom('json', 'yaml', 'env', 'text'),
          context: fc.dictionary(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' })),
          shape,
        }),
        (e) => {
          const { kmsSecrets: v, alg, mode, id, format, context } = e
          const expected = canonicalJson({
            v,
            alg,
            mode,
            id,
            format,
            context,
            ...(e.shape === undefined ? {} : { shape: e.shape }),
          })
          expect(decoder.decode(envelopeAad(e as unknown as AnyEnvelope))).toBe(expected)
        },
      ),
    )
  })
})
