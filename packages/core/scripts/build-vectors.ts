/**
 * Builds the v1 and v2 test vectors (FORMAT.md §Test vectors) deterministically: a fake KMS with a fixed seed, counter-derived
 * data keys and IVs. `gen-vectors.ts` writes them once; `test/vectors.test.ts` checks the committed files are
 * reproduced byte for byte. Never change what an existing vector builds to: a format change ADDS vectors.
 */
import { createHmac } from 'node:crypto'
import { createFakeKms } from '@kms-secrets/testkit/fake-kms'
import { encodeEnvelope } from '../src/envelope/codec.js'
import type { SealedEnvelope } from '../src/envelope/types.js'
import { createSealer } from '../src/seal/sealer.js'
import { wrapBlob } from '../src/seal/wrap.js'
import { parseSecretFile } from '../src/secret-file/parse.js'
import { canonicalJson } from '../src/util/canonical-json.js'
import type { VectorEntry, VectorManifest } from '../test/support/vectors.js'
import { type Built, mutations } from './vector-mutations.js'
import { buildProjectVectors } from './vectors-project.js'
import { buildV2Vectors } from './vectors-v2.js'

export const vectorKmsConfig = {
  seed: 'kms-secrets-vectors-v1',
  keys: ['vector-key-1', 'vector-key-2'],
  region: 'ap-guangzhou',
}

const enc = (s: string) => new TextEncoder().encode(s)

export function ivSource(label: string): () => Uint8Array {
  let n = 0
  return () => new Uint8Array(createHmac('sha256', 'vector-iv').update(`${label}:${n++}`).digest().subarray(0, 12))
}

// The v1 vectors are frozen: they are built with `version: 1` exactly as before v2 existed.
async function sealAll(kms: ReturnType<typeof createFakeKms>): Promise<Record<string, Built>> {
  const sealer = createSealer({ provider: kms, keyId: 'vector-key-1', randomIv: ivSource('a'), version: 1 })
  const ctxSealer = createSealer({
    provider: kms,
    keyId: 'vector-key-1',
    context: { app: 'api', env: 'prod' },
    randomIv: ivSource('b'),
    version: 1,
  })
  const other = createSealer({ provider: kms, keyId: 'vector-key-2', randomIv: ivSource('c'), version: 1 })
  const inputs: [string, ReturnType<typeof createSealer>, string, 'json' | 'yaml' | 'env' | 'text', string][] = [
    [
      'json',
      sealer,
      'db.secret.json',
      'json',
      '{"host":"db.internal","port":5432,"password":"correct horse battery staple","tls":{"on":true}}',
    ],
    ['yaml', sealer, 'app.secret.yaml', 'yaml', 'apiKey: sk-live-0123456789\nhosts:\n  - a.internal\n  - b.internal\n'],
    ['env', sealer, 'prod.secret.env', 'env', 'DATABASE_URL="postgres://u:p%40ss@db/app"\nTOKEN=abc123def456\n'],
    [
      'text',
      sealer,
      'tls.secret.pem',
      'text',
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n',
    ],
    ['empty', sealer, 'empty.secret.txt', 'text', ''],
    ['unicode', sealer, 'intl.secret.json', 'json', '{"名前":"秘密🔑","quote":"a\\"b\\\\c","nl":"x\\ny"}'],
    ['context', ctxSealer, 'db.secret.json', 'json', '{"password":"context-bound-secret"}'],
    ['other-cmk', other, 'db.secret.json', 'json', '{"password":"other key"}'],
  ]
  const out: Record<string, Built> = {}
  for (const [name, s, id, format, text] of inputs) {
    const parsed = parseSecretFile(text, format, id)
    const env = await s.seal({
      id,
      format,
      payload: parsed.payload,
      ...(format === 'text' ? {} : { shape: parsed.shape }),
    })
    out[name] = { env, plaintext: new TextDecoder().decode(parsed.payload), value: parsed.value }
  }
  for (const s of [sealer, ctxSealer, other]) s.dispose()
  const plain = await kms.encrypt({ keyId: 'vector-key-1', plaintext: enc('console-made secret') })
  out.direct = {
    env: wrapBlob({
      blob: plain.ciphertextBlob,
      keyId: 'vector-key-1',
      region: 'ap-guangzhou',
      id: 'token.secret.txt',
      format: 'text',
      version: 1,
    }),
    plaintext: 'console-made secret',
    value: 'console-made secret',
  }
  const ctx = { app: 'api' }
  const withCtx = await kms.encrypt({
    keyId: 'vector-key-1',
    plaintext: enc('{"k":"v"}'),
    encryptionContext: canonicalJson(ctx),
  })
  out.directContext = {
    env: wrapBlob({
      blob: withCtx.ciphertextBlob,
      region: 'ap-guangzhou',
      id: 'k.secret.json',
      format: 'json',
      context: ctx,
      version: 1,
    }),
    plaintext: '{"k":"v"}',
    value: { k: 'v' },
  }
  const notJson = await kms.encrypt({ keyId: 'vector-key-1', plaintext: enc('not json') })
  out.notJson = {
    env: wrapBlob({
      blob: notJson.ciphertextBlob,
      region: 'ap-guangzhou',
      id: 'x.secret.json',
      format: 'json',
      version: 1,
    }),
    plaintext: '',
    value: null,
  }
  return out
}

const positives: [string, string][] = [
  ['v1-ok-json', 'json'],
  ['v1-ok-yaml', 'yaml'],
  ['v1-ok-env', 'env'],
  ['v1-ok-text', 'text'],
  ['v1-ok-empty-text', 'empty'],
  ['v1-ok-unicode', 'unicode'],
  ['v1-ok-context', 'context'],
  ['v1-ok-other-cmk', 'other-cmk'],
  ['v1-ok-direct', 'direct'],
  ['v1-ok-direct-context', 'directContext'],
]

/** Every vector: file name → content, plus the manifest. */
export async function buildVectors(): Promise<{ files: Map<string, string>; manifest: VectorManifest }> {
  const kms = createFakeKms(vectorKmsConfig)
  const built = await sealAll(kms)
  const files = new Map<string, string>()
  const vectors: VectorEntry[] = []
  for (const [name, key] of positives) {
    const b = built[key]!
    files.set(`${name}.envelope`, encodeEnvelope(b.env))
    vectors.push({ name, envelope: `${name}.envelope`, expect: { plaintext: b.plaintext, value: b.value } })
  }
  // Same envelope, compact and with the fields reordered: JSON semantics, not bytes, are authenticated.
  const j = built.json!.env as SealedEnvelope
  const { kmsSecrets, ...rest } = j
  files.set(
    'v1-ok-compact-reordered.envelope',
    JSON.stringify({ kmsSecrets, ...Object.fromEntries(Object.entries(rest).reverse()) }),
  )
  vectors.push({
    name: 'v1-ok-compact-reordered',
    envelope: 'v1-ok-compact-reordered.envelope',
    expect: { plaintext: built.json!.plaintext, value: built.json!.value },
  })
  for (const [name, text, error, expectedId] of mutations(built)) {
    files.set(`${name}.envelope`, text)
    vectors.push({
      name,
      envelope: `${name}.envelope`,
      ...(expectedId ? { expectedId } : {}),
      expect: { error: error as never },
    })
  }
  // v2 after every v1 vector, on the same fake KMS: the v1 bytes (counter-derived keys and IVs) stay what they were.
  for (const v of await buildV2Vectors(kms)) {
    files.set(v.envelope, v.text)
    const { text: _t, ...entry } = v
    vectors.push(entry)
  }
  // Mode "project" last (marked `mode: "project"` so openers without project support can skip them).
  const project = await buildProjectVectors(kms)
  for (const v of project.vectors) {
    files.set(v.envelope, v.text)
    const { text: _t, ...entry } = v
    vectors.push(entry)
  }
  files.set('p2-kms-secrets.json', project.keyFile)
  const manifest: VectorManifest = {
    description:
      'kms-secrets sealed-envelope v1 and v2 test vectors. See packages/core/FORMAT.md. Generated once by scripts/gen-vectors.ts; never edit.',
    kms: { type: 'fake-kms', ...vectorKmsConfig },
    procedure:
      'decodeEnvelope(text, name) → openEnvelope(env, {provider: fake KMS, expectedId}) → decodePayload(bytes, env.format); the first error thrown must have expect.error as its code; otherwise UTF-8(bytes) === expect.plaintext and the value deep-equals expect.value.',
    vectors,
  }
  return { files, manifest }
}
