import { createFakeKms } from '@kms-secrets/testkit/fake-kms'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createSealer,
  decodeEnvelope,
  encodeEnvelope,
  encryptionContextFor,
  isEnvelopeText,
  isKmsSecretsError,
  openEnvelope,
  type SealedEnvelope,
  validateEnvelope,
} from '../src/index.js'

const kms = createFakeKms()
const runs = Number(process.env.FUZZ_RUNS ?? 300)

const idArb = fc.string({ minLength: 1, maxLength: 40 })
const ctxArb = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== 'kms-secrets' && k !== '__proto__'),
  fc.string({ maxLength: 16 }),
  { maxKeys: 4 },
)
const payloadArb = fc.uint8Array({ maxLength: 300 })

async function seal(id: string, payload: Uint8Array, context: Record<string, string> = {}): Promise<SealedEnvelope> {
  const sealer = createSealer({ provider: kms, keyId: 'fake-key-1', context })
  try {
    return await sealer.seal({ id, format: 'text', payload })
  } finally {
    sealer.dispose()
  }
}

/** Resolves to 'typed' for a KmsSecretsError, the plaintext bytes otherwise; rethrows anything untyped. */
async function attempt(env: () => SealedEnvelope | ReturnType<typeof decodeEnvelope>): Promise<Uint8Array | 'typed'> {
  try {
    return await openEnvelope(env(), { provider: kms })
  } catch (e) {
    if (isKmsSecretsError(e)) return 'typed'
    throw e
  }
}

const flipBase64 = (b64: string, bit: number) => {
  const bytes = Buffer.from(b64, 'base64')
  bytes[Math.floor(bit / 8) % bytes.length]! ^= 1 << (bit % 8)
  return bytes.toString('base64')
}

describe('property: seal → encode → decode → open', () => {
  it('round-trips any payload, id and context', async () => {
    await fc.assert(
      fc.asyncProperty(idArb, payloadArb, ctxArb, async (id, payload, context) => {
        const env = await seal(id, payload, context)
        const back = decodeEnvelope(encodeEnvelope(env))
        expect(back).toEqual(env)
        expect(isEnvelopeText(encodeEnvelope(env))).toBe(true)
        expect(await openEnvelope(back, { provider: kms, expectedId: id })).toEqual(payload)
      }),
      { numRuns: runs },
    )
  })
})

describe('property: tampering never yields plaintext', () => {
  it('any single-bit flip of iv, data or tag → ERR_ENVELOPE_AUTH', async () => {
    await fc.assert(
      fc.asyncProperty(
        payloadArb.filter((p) => p.length > 0),
        fc.constantFrom('iv', 'data', 'tag'),
        fc.nat(),
        async (payload, field, bit) => {
          const env = await seal('a.secret.txt', payload)
          const tampered = { ...env, [field]: flipBase64(env[field as 'iv'], bit) }
          await expect(openEnvelope(tampered, { provider: kms })).rejects.toMatchObject({ code: 'ERR_ENVELOPE_AUTH' })
        },
      ),
      { numRuns: runs },
    )
  })

  it('any truncation of iv, data or tag → typed error', async () => {
    await fc.assert(
      fc.asyncProperty(
        payloadArb.filter((p) => p.length > 0),
        fc.constantFrom('iv', 'data', 'tag'),
        fc.nat(),
        async (payload, field, cut) => {
          const env = await seal('a.secret.txt', payload)
          const bytes = Buffer.from(env[field as 'iv'], 'base64')
          const short = bytes.subarray(0, cut % bytes.length).toString('base64')
          expect(await attempt(() => decodeEnvelope(encodeEnvelope({ ...env, [field]: short })))).toBe('typed')
        },
      ),
      { numRuns: runs },
    )
  })

  it('any change of id or context → typed error', async () => {
    await fc.assert(
      fc.asyncProperty(idArb, idArb, ctxArb, ctxArb, async (id, otherId, ctx, otherCtx) => {
        const env = await seal(id, new Uint8Array([1, 2, 3]), ctx)
        fc.pre(id !== otherId || encryptionContextFor(ctx) !== encryptionContextFor(otherCtx))
        expect(await attempt(() => ({ ...env, id: otherId, context: otherCtx }))).toBe('typed')
      }),
      { numRuns: runs },
    )
  })

  it('any bit flip anywhere in the envelope text → typed error or the original plaintext', async () => {
    const payload = new TextEncoder().encode('{"password":"hunter2hunter2"}')
    const text = encodeEnvelope(await seal('db.secret.json', payload))
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: text.length * 8 - 1 }), async (bit) => {
        const bytes = Buffer.from(text)
        bytes[Math.floor(bit / 8)]! ^= 1 << (bit % 8)
        const result = await attempt(() => decodeEnvelope(bytes.toString('utf8')))
        if (result !== 'typed') expect(Buffer.from(result).equals(Buffer.from(payload))).toBe(true)
      }),
      { numRuns: runs * 3 },
    )
  })

  it('any truncation of the envelope text → ERR_ENVELOPE_PARSE', async () => {
    const text = encodeEnvelope(await seal('db.secret.json', new Uint8Array([9])))
    await fc.assert(
      fc.property(fc.nat({ max: text.trimEnd().length - 1 }), (cut) => {
        expect(() => decodeEnvelope(text.slice(0, cut))).toThrow(
          expect.objectContaining({ code: 'ERR_ENVELOPE_PARSE' }),
        )
      }),
      { numRuns: runs },
    )
  })
})

describe('property: decoding hostile input', () => {
  const typedOnly = (fn: () => unknown) => {
    try {
      fn()
    } catch (e) {
      expect(isKmsSecretsError(e), String(e)).toBe(true)
      expect((e as { code: string }).code).toMatch(/^ERR_ENVELOPE_(PARSE|FIELD|VERSION)$/)
    }
  }

  it('decodeEnvelope throws only typed errors on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'binary' })), (s) => {
        typedOnly(() => decodeEnvelope(s))
        expect(typeof isEnvelopeText(s)).toBe('boolean')
      }),
      { numRuns: runs * 3 },
    )
  })

  it('validateEnvelope throws only typed errors when any field holds anything', async () => {
    const env = await seal('a.secret.txt', new Uint8Array([1]))
    const fields = [...Object.keys(env), 'kms.provider', 'kms.region', 'kms.keyId', 'kms.blob', 'extra']
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.anything(), (field, value) => {
        const obj = structuredClone(env) as unknown as Record<string, Record<string, unknown>>
        if (field.startsWith('kms.')) obj.kms![field.slice(4)] = value
        else (obj as Record<string, unknown>)[field] = value
        typedOnly(() => validateEnvelope(obj))
        typedOnly(() => decodeEnvelope(JSON.stringify(obj)))
      }),
      { numRuns: runs * 3 },
    )
  })

  it('error messages never contain a field value', async () => {
    const env = await seal('a.secret.txt', new Uint8Array([1]))
    const canary = 'CANARY-9f8e7d'
    for (const field of ['alg', 'mode', 'format', 'iv', 'data', 'tag', 'kmsSecrets']) {
      const e = (() => {
        try {
          decodeEnvelope(JSON.stringify({ ...env, [field]: canary }))
        } catch (x) {
          return x as Error & { hint?: string }
        }
      })()
      expect(e, field).toBeDefined()
      expect(`${e?.message} ${e?.hint}`).not.toContain(canary)
    }
  })
})
