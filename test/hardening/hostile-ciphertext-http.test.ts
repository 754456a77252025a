import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { encodeEnvelope, type KmsProvider, type SealedEnvelope, wrapBlob } from '@kms-secrets/core'
import { createSecretOpener } from '@kms-secrets/runtime'
import { newCanary } from '@kms-secrets/testkit/leak'
import { kmsEnv, readAudit, startTestKms, type TestKms } from '@kms-secrets/testkit/local-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorCodesIn } from '../utils/errors.js'
import { attempt, errorLeaks, type Outcome } from './support/attempt.js'
import { buildWithRollup, digestEntry } from './support/build.js'
import { createFigures } from './support/figures.js'
import { adminAndRuntime, keyIdFor, newIdentity, providerFor } from './support/kms.js'
import { byteFlips, fieldOf, type Mutation, stringFieldFlips } from './support/mutate.js'
import { sealJsonFiles } from './support/seal.js'
import { makeWorkDir, runNode } from './support/work.js'

const figures = createFigures('hostile-ciphertext-http')
const canaries = [newCanary('P'), newCanary('T'), newCanary('D'), newCanary('E')]
const dbValue = { host: 'db.internal', port: 5432, password: canaries[0] }
const apiValue = { token: canaries[1] }
const keyA = keyIdFor('ctA')
const keyB = keyIdFor('ctB')
const admin = newIdentity('Admin')
const runtimeId = newIdentity('Runtime')
const work = makeWorkDir('ciphertext')

let kms: TestKms
let adminKms: KmsProvider
let db: SealedEnvelope
let api: SealedEnvelope
let dbUnderB: SealedEnvelope

const sealJson = (keyId: string, files: [string, unknown][]) => sealJsonFiles(adminKms, keyId, files, { app: 'shop' })

beforeAll(async () => {
  kms = await startTestKms({
    seed: {
      identities: adminAndRuntime(admin, runtimeId, [keyA, keyB]),
      keys: [
        { keyId: keyA, alias: 'hard-ct-a' },
        { keyId: keyB, alias: 'hard-ct-b' },
      ],
    },
  })
  adminKms = providerFor(kms.endpoint, admin)
  ;[db, api] = (await sealJson(keyA, [
    ['db.secret.json', dbValue],
    ['api.secret.json', apiValue],
  ])) as [SealedEnvelope, SealedEnvelope]
  ;[dbUnderB] = (await sealJson(keyB, [['db.secret.json', dbValue]])) as [SealedEnvelope]
})
afterAll(async () => {
  figures.set('decryptCallsSeenByKms', readAudit(kms.auditLog).filter((e) => e.action === 'Decrypt').length)
  figures.write()
  await kms.dispose()
  work.remove()
})

/** The real runtime (createSecretOpener → core's Tencent provider → HTTP → local-kms), one attempt per open. */
/** The runtime with its own transport (TC3 over node:http to local-kms), as in production. */
const runtime = () =>
  createSecretOpener({
    endpoint: kms.endpoint,
    credential: { secretId: runtimeId.secretId, secretKey: runtimeId.secretKey },
    retry: { maxAttempts: 1 },
  })

function judge(out: Outcome, expected: unknown, attack: string): void {
  figures.add('casesTried')
  figures.count('casesByAttack', attack)
  if (out.ok) {
    expect(out.value, `wrong plaintext after ${attack}`).toEqual(expected)
    figures.count('acceptedIdentical', attack)
    return
  }
  figures.count('rejectedByCode', out.code)
  expect(errorLeaks(out.error, canaries), `plaintext in the error after ${attack}`).toEqual([])
}

/** Deterministic sample (LCG) of `n` items. */
function sample<T>(items: T[], n: number, seed = 7): T[] {
  let s = seed
  return Array.from({ length: Math.min(n, items.length) }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31
    return items[s % items.length]!
  })
}

describe('a sample of the in-memory attacks, through the runtime and local-kms over HTTP', () => {
  it('bit flips of iv/data/tag and of every string field (blob included): typed error or the original', async () => {
    const flips = [...byteFlips(db, 'iv'), ...byteFlips(db, 'data'), ...byteFlips(db, 'tag')]
    const strings = [...stringFieldFlips(db)]
    const blobFlips = strings.filter((m) => fieldOf(m.where) === 'kms.blob')
    const mutations: Mutation[] = [...sample(flips, 60), ...sample(strings, 120, 11), ...sample(blobFlips, 40, 5)]
    const opener = runtime()
    for (const m of mutations) {
      const out = await attempt(() => opener.open(m.envelope as never, { file: 'db.secret.json' }))
      judge(out, dbValue, `bit flip of ${fieldOf(m.where)}`)
      if (out.ok) expect(['kms.region', 'kms.keyId']).toContain(fieldOf(m.where))
    }
  })

  it('named attacks: forged id, swapped ciphertext, foreign CMK, wrong context, unknown version', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['envelope moved, id forged', { ...api, id: 'db.secret.json' }, 'ERR_ENVELOPE_AUTH'],
      ['iv+data+tag of another file', { ...db, iv: api.iv, data: api.data, tag: api.tag }, 'ERR_ENVELOPE_AUTH'],
      // v2 envelopes carry a key commitment (HKDF of the data key, FORMAT.md): another CMK's data key is refused by
      // that check before AES-GCM runs, so the code is ERR_ENVELOPE_COMMITMENT (a v1 envelope would fail the tag).
      ['data key of another CMK', { ...db, kms: dbUnderB.kms }, 'ERR_ENVELOPE_COMMITMENT'],
      ['wrong encryption context', { ...db, context: { app: 'admin' } }, 'ERR_KMS_INVALID_CIPHERTEXT'],
      ['no encryption context', { ...db, context: {} }, 'ERR_KMS_INVALID_CIPHERTEXT'],
      // Version 2 is what the plugin writes today (so `db` already is v2): 99 is a version no reader knows.
      ['unknown version', { ...db, kmsSecrets: 99 }, 'ERR_ENVELOPE_VERSION'],
    ]
    for (const [attack, env, code] of cases) {
      const out = await attempt(() => runtime().open(env as never, { file: 'db.secret.json' }))
      expect(out.ok ? 'opened' : out.code, attack).toBe(code)
      judge(out, dbValue, attack)
    }
  })
})

describe('direct mode (a bare KMS Encrypt blob wrapped with `kms-secrets wrap`)', () => {
  async function direct(id: string, value: string, context?: Record<string, string>) {
    const encryptionContext = context && JSON.stringify(Object.fromEntries(Object.entries(context).sort()))
    const { ciphertextBlob } = await adminKms.encrypt({
      keyId: keyA,
      plaintext: new TextEncoder().encode(value),
      ...(encryptionContext ? { encryptionContext } : {}),
    })
    return wrapBlob({ blob: ciphertextBlob, keyId: keyA, region: 'ap-guangzhou', id, format: 'text', context })
  }
  const open = (env: unknown, file: string) => attempt(() => runtime().open(env as never, { file }))

  it('tampered blobs, blobs bound to another file, and blobs moved between modes are refused', async () => {
    const a = await direct('a.secret.txt', canaries[2]!, { file: 'a.secret.txt' })
    const b = await direct('b.secret.txt', canaries[3]!, { file: 'b.secret.txt' })
    expect(await runtime().open(a, { file: 'a.secret.txt' })).toBe(canaries[2])
    const blob = a.kms.blob
    const mid = Math.floor(blob.length / 2)
    const flipped = blob.slice(0, mid) + (blob[mid] === 'A' ? 'B' : 'A') + blob.slice(mid + 1)
    const cases: [string, unknown, string][] = [
      ['direct blob tampered', { ...a, kms: { ...a.kms, blob: flipped } }, 'ERR_KMS_INVALID_CIPHERTEXT'],
      ['direct blob of another file (per-file context)', { ...a, kms: b.kms }, 'ERR_KMS_INVALID_CIPHERTEXT'],
      ['direct context removed', { ...a, context: {} }, 'ERR_KMS_INVALID_CIPHERTEXT'],
      ['direct blob moved into a sealed envelope', { ...db, kms: a.kms }, 'ERR_KMS_INVALID_CIPHERTEXT'],
      // A sealed envelope's wrapped DATA KEY re-labelled as a direct value: KMS must not hand the key out as a value.
      [
        'data-key blob as direct, same context',
        { ...a, kms: db.kms, context: { app: 'shop' } },
        'ERR_KMS_INVALID_CIPHERTEXT',
      ],
      ['data-key blob as direct, no context', { ...a, kms: db.kms, context: {} }, 'ERR_KMS_INVALID_CIPHERTEXT'],
      [
        'data-key blob as direct, marker forged',
        { ...a, kms: db.kms, context: { 'kms-secrets': '1', app: 'shop' } },
        'ERR_CONTEXT_INVALID',
      ],
    ]
    for (const [attack, env, code] of cases) {
      const out = await open(env, 'a.secret.txt')
      expect(out.ok ? 'opened' : out.code, attack).toBe(code)
      judge(out, canaries[2], attack)
    }
  })

  it('LIMIT (documented): a direct blob made WITHOUT an EncryptionContext is not bound to its file id', async () => {
    // Direct blobs come from outside kms-secrets (console tool, tccli); only an EncryptionContext can bind them.
    // Swapping two such blobs between files yields the other file's value: SECURITY.md "Known limits".
    const a = await direct('a.secret.txt', canaries[2]!)
    const b = await direct('b.secret.txt', canaries[3]!)
    const swapped = await runtime().open({ ...a, kms: b.kms }, { file: 'a.secret.txt' })
    expect(swapped).toBe(canaries[3])
    figures.set('directSwapWithoutContextOpensOtherValue', true)
  })
})

describe('swapped files through a real build and a real server start', () => {
  function writeApp(name: string, dbFileText: string): string {
    const root = join(work.dir, name)
    mkdirSync(join(root, 'config'), { recursive: true })
    writeFileSync(join(root, 'config', 'db.secret.json'), dbFileText)
    writeFileSync(join(root, 'server.mjs'), digestEntry(['db.secret.json']))
    return root
  }

  it('the plugin refuses an envelope copied under another file name (ERR_ENVELOPE_MISMATCH)', async () => {
    const root = writeApp('moved', encodeEnvelope(api))
    const error = await buildWithRollup({ root, entry: 'server.mjs', outDir: join(root, 'dist'), plugin: {} }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(errorCodesIn(error)).toContain('ERR_ENVELOPE_MISMATCH')
    expect(errorLeaks(error, canaries)).toEqual([])
    figures.add('casesTried')
    figures.count('rejectedByCode', 'ERR_ENVELOPE_MISMATCH')
  })

  it('with the id forged to pass that check, the built server refuses to start (AAD → ERR_ENVELOPE_AUTH)', async () => {
    const root = writeApp('forged', encodeEnvelope({ ...api, id: 'db.secret.json' }))
    const entry = await buildWithRollup({ root, entry: 'server.mjs', outDir: join(root, 'dist'), plugin: {} })
    const run = await runNode([entry], { env: kmsEnv(kms.endpoint, runtimeId), timeoutMs: 30_000 })
    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain('ERR_ENVELOPE_AUTH')
    expect(run.stdout).not.toContain('digest')
    expect([...findAll(run.stdout + run.stderr)]).toEqual([])
    figures.add('casesTried')
    figures.count('rejectedByCode', 'ERR_ENVELOPE_AUTH')
  })
})

function* findAll(text: string): Generator<number> {
  for (const [i, c] of canaries.entries()) if (text.includes(c)) yield i
}
