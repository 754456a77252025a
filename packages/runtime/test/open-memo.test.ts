import { createFakeKms } from '@kms-secrets/testkit/fake-kms'
import { describe, expect, it } from 'vitest'
import { createSecretOpener } from '../src/index.js'
import { sealAll } from './support/seal.js'

/**
 * Attacks on the opener's memo of canonical contexts/shapes (AAD, EncryptionContext) and its data-key cache: once a
 * data key is cached no KMS call checks the EncryptionContext any more, so the AAD computed for EACH open is all that
 * binds a value to its id, context and shape. A memo keyed by object identity, or kept after the object changed,
 * would let an edited envelope open with the AAD of the genuine one.
 */
const files = [
  { id: 'a.secret.json', format: 'json' as const, text: '{"user":"a","password":"CANARY-memo-a"}' },
  { id: 'b.secret.json', format: 'json' as const, text: '{"user":"b","password":"CANARY-memo-b"}' },
]

async function setup() {
  const kms = createFakeKms()
  const { envelopes, values } = await sealAll(kms, files)
  const opener = createSecretOpener({ provider: kms })
  return { kms, envelopes, values, opener }
}

const refused = { code: 'ERR_ENVELOPE_AUTH' }

describe('memoized AAD and EncryptionContext cannot open an edited envelope', () => {
  it('the same envelope object edited in place after a successful open: context, shape, id', async () => {
    const { kms, envelopes, values, opener } = await setup()
    // A mutable copy (the sealer's shape is frozen): one object, opened again after each edit.
    const env = structuredClone(envelopes[0]!)
    await expect(opener.open(env, { file: env.id })).resolves.toEqual(values[0])

    const ctx = env.context as Record<string, string>
    ctx.env = 'prod'
    await expect(opener.open(env, { file: env.id })).rejects.toMatchObject(refused)
    ctx.env = 'test'
    await expect(opener.open(env, { file: env.id })).resolves.toEqual(values[0])

    const shape = env.shape as { object: Record<string, unknown> }
    const user = shape.object.user
    shape.object.user = 'number'
    await expect(opener.open(env, { file: env.id })).rejects.toMatchObject(refused)
    shape.object.user = user
    await expect(opener.open(env, { file: env.id })).resolves.toEqual(values[0])

    const mutable = env as { id: string }
    mutable.id = 'b.secret.json'
    await expect(opener.open(env, { file: 'b.secret.json' })).rejects.toMatchObject(refused)
    mutable.id = 'a.secret.json'
    // Every refusal above came from the AAD: the data key was cached after the first open (one Decrypt in all).
    expect(kms.decrypts).toHaveLength(1)
  })

  it('a copy with another context, or with the fields of a sibling, shares the cached key but not its AAD', async () => {
    const { envelopes, values, opener } = await setup()
    const [a, b] = envelopes as [(typeof envelopes)[0], (typeof envelopes)[0]]
    await expect(opener.open(a, { file: a.id })).resolves.toEqual(values[0])
    // Same context, keys in another order: the same canonical JSON, the same value.
    const reordered = { ...a, context: { env: 'test', app: 'api' } }
    await expect(opener.open(reordered, { file: a.id })).resolves.toEqual(values[0])
    await expect(opener.open({ ...a, context: { app: 'api' } }, { file: a.id })).rejects.toMatchObject(refused)
    await expect(
      opener.open({ ...a, context: { app: 'api', env: 'test', x: '' } }, { file: a.id }),
    ).rejects.toMatchObject(refused)
    // b's ciphertext under a's id (and the reverse): refused although both use the one cached data key.
    const swapped = { ...a, iv: b.iv, data: b.data, tag: b.tag, salt: b.salt, commit: b.commit }
    await expect(opener.open(swapped, { file: a.id })).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_/) })
    await expect(opener.open({ ...b, id: a.id }, { file: a.id })).rejects.toMatchObject(refused)
    await expect(opener.open(b, { file: b.id })).resolves.toEqual(values[1])
  })

  it('after the memo has been filled past its bound, a genuine envelope opens and an edited one does not', async () => {
    const { envelopes, values, opener } = await setup()
    const a = envelopes[0]!
    await expect(opener.open(a, { file: a.id })).resolves.toEqual(values[0])
    for (let i = 0; i < 300; i++) {
      await expect(opener.open({ ...a, context: { app: 'api', env: `e${i}` } }, { file: a.id })).rejects.toMatchObject(
        refused,
      )
    }
    await expect(opener.open(a, { file: a.id })).resolves.toEqual(values[0])
    await expect(opener.open({ ...a, context: { app: 'api', env: 'e7' } }, { file: a.id })).rejects.toMatchObject(
      refused,
    )
  })
})
