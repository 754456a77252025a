import { isDeepStrictEqual } from 'node:util'
import {
  decodeEnvelope,
  decodePayload,
  encodeEnvelope,
  openEnvelope,
  type SealedEnvelope,
  validateEnvelope,
} from '@kms-secrets/core'
import { createSecretOpener } from '@kms-secrets/runtime'
import { createFakeKms, type FakeKms } from '@kms-secrets/testkit/fake-kms'
import { newCanary, textHasCanary } from '@kms-secrets/testkit/leak'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { attempt, type Outcome } from './support/attempt.js'
import { createFigures } from './support/figures.js'
import { byteFlips, charFlips, fieldOf, type Mutation, stringFieldFlips } from './support/mutate.js'
import { sealJsonFiles } from './support/seal.js'

const figures = createFigures('hostile-ciphertext')
const canaries = [newCanary('P'), newCanary('T'), newCanary('K')]
const dbValue = { host: 'db.internal', port: 5432, user: 'app', password: canaries[0], tls: { ca: canaries[1] } }
const apiValue = { token: canaries[2], region: 'eu' }

let kms: FakeKms
let db: SealedEnvelope
let api: SealedEnvelope
let otherCmk: SealedEnvelope

const sealJson = (keyId: string, files: [string, unknown][]) => sealJsonFiles(kms, keyId, files, { app: 'shop' })

beforeAll(async () => {
  kms = createFakeKms({ keys: ['fake-cmk-a', 'fake-cmk-b'] })
  ;[db, api] = (await sealJson('fake-cmk-a', [
    ['db.secret.json', dbValue],
    ['api.secret.json', apiValue],
  ])) as [SealedEnvelope, SealedEnvelope]
  ;[otherCmk] = (await sealJson('fake-cmk-b', [['db.secret.json', dbValue]])) as [SealedEnvelope]
})
afterAll(() => {
  figures.set('wrongPlaintextReturned', (figures.get('wrongPlaintextReturned') as number | undefined) ?? 0)
  figures.write()
})

/** core's open path: decode/validate → KMS Decrypt → AES-GCM → payload. */
async function openCore(env: unknown, file = 'db.secret.json'): Promise<unknown> {
  const e = typeof env === 'string' ? decodeEnvelope(env, file) : validateEnvelope(env, file)
  return decodePayload(await openEnvelope(e, { provider: kms, file }), e.format)
}

const runtime = () => createSecretOpener({ provider: kms, retry: { maxAttempts: 1 } })

/**
 * The rule of every case: a typed error without plaintext in it, or exactly the original value. (Checked without
 * `expect` on the hot path: thousands of cases per test.)
 */
function judge(out: Outcome, expected: unknown, attack: string, field: string): void {
  figures.add('casesTried')
  figures.count('casesByAttack', attack)
  if (out.ok) {
    if (!isDeepStrictEqual(out.value, expected)) {
      figures.add('wrongPlaintextReturned')
      expect.fail(`wrong plaintext returned after ${attack} of ${field}`)
    }
    figures.count('acceptedIdenticalByField', field)
    return
  }
  figures.count('rejectedByCode', out.code)
  const e = out.error as Error & { hint?: string }
  if (textHasCanary(`${e.message}\n${e.hint}\n${e.stack}`, canaries).length > 0) {
    expect.fail(`plaintext in the error after ${attack} of ${field}`)
  }
}

async function runAll(mutations: Iterable<Mutation>, path: 'core' | 'runtime', attack: string): Promise<string[]> {
  const opener = runtime()
  const accepted: string[] = []
  for (const m of mutations) {
    const out = await attempt(() =>
      path === 'core' ? openCore(m.envelope) : opener.open(m.envelope as never, { file: 'db.secret.json' }),
    )
    judge(out, dbValue, `${attack} (${path})`, fieldOf(m.where))
    if (out.ok) accepted.push(fieldOf(m.where))
  }
  return accepted
}

/** The field a character offset of the pretty-printed envelope text belongs to (`kms.blob`, `shape`, `(brace)`…). */
function fieldAt(text: string, offset: number): string {
  let top = '(brace)'
  let sub = ''
  for (const line of text.slice(0, offset + 1).split('\n')) {
    const m = /^( +)"([^"]+)":/.exec(line)
    if (m?.[1]?.length === 2) {
      top = m[2]!
      sub = ''
    } else if (m?.[1]?.length === 4 && top === 'kms') sub = m[2]!
  }
  return sub ? `kms.${sub}` : top
}

describe('single-bit flips (in-memory KMS, thousands of opens)', () => {
  const fields = ['iv', 'data', 'tag'] as const
  for (const path of ['core', 'runtime'] as const) {
    it(`every bit of iv, data and tag → ERR_ENVELOPE_AUTH (${path} open path)`, async () => {
      const mutations = fields.flatMap((f) => [...byteFlips(db, f)])
      expect(mutations.length).toBeGreaterThan(8 * (12 + 16 + 50))
      const before = figures.get('rejectedByCode') as Record<string, number> | undefined
      const auth = before?.ERR_ENVELOPE_AUTH ?? 0
      expect(await runAll(mutations, path, 'bit flip of iv/data/tag')).toEqual([])
      expect((figures.get('rejectedByCode') as Record<string, number>).ERR_ENVELOPE_AUTH).toBe(auth + mutations.length)
    })
  }

  it('every bit of every character of every string field and key: typed error or the original value', async () => {
    // Authenticated (AAD or KMS EncryptionContext) fields must never open; only the routing hint kms.region (and a
    // blob KMS still unwraps to the same data key) may. kms.keyId is authenticated by the CMK KMS reports (FORMAT.md §3.1).
    expect(db.kmsSecrets).toBe(2)
    const accepted = new Set([
      ...(await runAll(stringFieldFlips(db), 'core', 'bit flip of a string field')),
      ...(await runAll(stringFieldFlips(db, ['$.kms.blob']), 'runtime', 'bit flip of a string field')),
    ])
    for (const field of accepted) expect(['kms.region', 'kms.blob']).toContain(field)
  })

  it('every bit of the low 7 of every character of the whole envelope text', async () => {
    const text = encodeEnvelope(db)
    const accepted = new Set<string>()
    let n = 0
    for (const next of charFlips(text, 7)) {
      const field = fieldAt(text, Math.floor(n++ / 7))
      const out = await attempt(() => openCore(next))
      judge(out, dbValue, 'bit flip of the envelope text', field)
      if (out.ok) accepted.add(field)
    }
    expect(n).toBe(text.length * 7)
    for (const field of accepted) expect(['kms.region', 'kms.blob']).toContain(field)
  })
})

describe('truncation', () => {
  it('every prefix of the envelope text, and of every base64 field and the blob', async () => {
    const text = encodeEnvelope(db)
    for (let len = 0; len < text.length; len++) {
      judge(await attempt(() => openCore(text.slice(0, len))), dbValue, 'truncation', 'text')
    }
    for (const field of ['iv', 'data', 'tag'] as const) {
      for (let len = 0; len < db[field].length; len++) {
        const out = await attempt(() => openCore({ ...db, [field]: db[field].slice(0, len) }))
        expect(out.ok).toBe(false)
        judge(out, dbValue, 'truncation', field)
      }
    }
    for (let len = 0; len < db.kms.blob.length; len++) {
      const env = { ...db, kms: { ...db.kms, blob: db.kms.blob.slice(0, len) } }
      judge(await attempt(() => openCore(env)), dbValue, 'truncation', 'kms.blob')
    }
  })
})

describe('swapped, re-labelled and foreign ciphertext', () => {
  it('ciphertext parts swapped between two files of one build (same data key) → ERR_ENVELOPE_AUTH', async () => {
    const parts = ['iv', 'data', 'tag'] as const
    for (let mask = 1; mask < 8; mask++) {
      const env: Record<string, unknown> = { ...db }
      parts.forEach((p, i) => {
        if (mask & (1 << i)) env[p] = api[p]
      })
      for (const path of ['core', 'runtime'] as const) {
        const out = await attempt(() =>
          path === 'core' ? openCore(env) : runtime().open(env as never, { file: 'db.secret.json' }),
        )
        expect(out.ok ? 'opened' : out.code).toBe('ERR_ENVELOPE_AUTH')
        judge(out, dbValue, 'ciphertext swapped between files', path)
      }
    }
  })

  it('a whole envelope moved to another file: id check, then AAD when the id is forged', async () => {
    const moved = await attempt(async () =>
      decodePayload(await openEnvelope(api, { provider: kms, expectedId: 'db.secret.json' }), 'json'),
    )
    expect(moved.ok ? 'opened' : moved.code).toBe('ERR_ENVELOPE_MISMATCH')
    const forged = { ...api, id: 'db.secret.json' }
    for (const out of [
      await attempt(() => openCore(forged)),
      await attempt(() => runtime().open(forged, { file: 'x' })),
    ]) {
      expect(out.ok ? 'opened' : out.code).toBe('ERR_ENVELOPE_AUTH')
      judge(out, dbValue, 'envelope moved, id forged', 'id')
    }
  })

  it('a wrong encryption context: KMS refuses (cold cache), the AAD refuses (warm cache)', async () => {
    const contexts: Record<string, string>[] = [{}, { app: 'shop2' }, { app: 'shop', env: 'prod' }, { App: 'shop' }]
    for (const context of contexts) {
      const cold = await attempt(() => openCore({ ...db, context }))
      expect(cold.ok ? 'opened' : cold.code).toBe('ERR_KMS_INVALID_CIPHERTEXT')
      judge(cold, dbValue, 'wrong encryption context', 'context')
      const opener = runtime()
      expect(await opener.open(db, { file: 'db.secret.json' })).toEqual(dbValue)
      const warm = await attempt(() => opener.open({ ...db, context }, { file: 'db.secret.json' }))
      expect(warm.ok ? 'opened' : warm.code).toBe('ERR_ENVELOPE_AUTH')
      judge(warm, dbValue, 'wrong encryption context', 'context')
    }
    const reserved = await attempt(() => openCore({ ...db, context: { app: 'shop', 'kms-secrets': '1' } }))
    expect(reserved.ok ? 'opened' : reserved.code).toBe('ERR_CONTEXT_INVALID')
  })

  it('unknown or ill-typed versions → ERR_ENVELOPE_VERSION / ERR_ENVELOPE_FIELD before any KMS call', async () => {
    const decrypts = kms.count('Decrypt')
    const versions: [unknown, string][] = [
      [0, 'ERR_ENVELOPE_VERSION'],
      [3, 'ERR_ENVELOPE_VERSION'],
      [-1, 'ERR_ENVELOPE_VERSION'],
      [1.5, 'ERR_ENVELOPE_VERSION'],
      [1e308, 'ERR_ENVELOPE_VERSION'],
      ['1', 'ERR_ENVELOPE_FIELD'],
      [null, 'ERR_ENVELOPE_FIELD'],
      [true, 'ERR_ENVELOPE_FIELD'],
      [[1], 'ERR_ENVELOPE_FIELD'],
    ]
    for (const [v, code] of versions) {
      const out = await attempt(() => openCore({ ...db, kmsSecrets: v }))
      expect(out.ok ? 'opened' : out.code, `version ${JSON.stringify(v)}`).toBe(code)
      judge(out, dbValue, 'unknown version', 'kmsSecrets')
    }
    expect(kms.count('Decrypt')).toBe(decrypts)
  })

  it('a data key wrapped by another CMK → ERR_ENVELOPE_COMMITMENT, v2 (core and runtime)', async () => {
    const env = { ...db, kms: { ...otherCmk.kms } }
    for (const out of [await attempt(() => openCore(env)), await attempt(() => runtime().open(env, { file: 'x' }))]) {
      expect(out.ok ? 'opened' : out.code).toBe('ERR_ENVELOPE_COMMITMENT')
      judge(out, dbValue, 'data key of another CMK', 'kms.blob')
    }
  })
})
