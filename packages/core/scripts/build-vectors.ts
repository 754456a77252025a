/**
 * Builds the v1 test vectors (FORMAT.md §Test vectors) deterministically: a fake KMS with a fixed seed, counter-derived
 * data keys and IVs. `gen-vectors.ts` writes them once; `test/vectors.test.ts` checks the committed files are
 * reproduced byte for byte. Never change what an existing vector builds to: a format change ADDS vectors.
 */
import { createHmac } from 'node:crypto'
import { encodeEnvelope } from '../src/envelope/codec.js'
import type { DirectEnvelope, Envelope, SealedEnvelope } from '../src/envelope/types.js'
import { createSealer } from '../src/seal/sealer.js'
import { wrapBlob } from '../src/seal/wrap.js'
import { parseSecretFile } from '../src/secret-file/parse.js'
import { canonicalJson } from '../src/util/canonical-json.js'
import { createFakeKms } from '../test/support/fake-kms.js'
import type { VectorEntry, VectorManifest } from '../test/support/vectors.js'

export const vectorKmsConfig = {
  seed: 'kms-secrets-vectors-v1',
  keys: ['vector-key-1', 'vector-key-2'],
  region: 'ap-guangzhou',
}

const enc = (s: string) => new TextEncoder().encode(s)

function ivSource(label: string): () => Uint8Array {
  let n = 0
  return () => new Uint8Array(createHmac('sha256', 'vector-iv').update(`${label}:${n++}`).digest().subarray(0, 12))
}

/** Flips the lowest bit of byte `index` of a base64 field. */
function flip(b64: string, index = 0): string {
  const bytes = Buffer.from(b64, 'base64')
  bytes[index % bytes.length]! ^= 1
  return bytes.toString('base64')
}

interface Built {
  env: Envelope
  plaintext: string
  value: unknown
}

async function sealAll(): Promise<Record<string, Built>> {
  const kms = createFakeKms(vectorKmsConfig)
  const sealer = createSealer({ provider: kms, keyId: 'vector-key-1', randomIv: ivSource('a') })
  const ctxSealer = createSealer({
    provider: kms,
    keyId: 'vector-key-1',
    context: { app: 'api', env: 'prod' },
    randomIv: ivSource('b'),
  })
  const other = createSealer({ provider: kms, keyId: 'vector-key-2', randomIv: ivSource('c') })
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
    }),
    plaintext: '{"k":"v"}',
    value: { k: 'v' },
  }
  const notJson = await kms.encrypt({ keyId: 'vector-key-1', plaintext: enc('not json') })
  out.notJson = {
    env: wrapBlob({ blob: notJson.ciphertextBlob, region: 'ap-guangzhou', id: 'x.secret.json', format: 'json' }),
    plaintext: '',
    value: null,
  }
  return out
}

type Mutation = [name: string, text: string, error: VectorEntry['expect'] | string, expectedId?: string]

function mutations(b: Record<string, Built>): Mutation[] {
  const j = b.json!.env as SealedEnvelope
  const y = b.yaml!.env as SealedEnvelope
  const d = b.direct!.env as DirectEnvelope
  const e = (env: object) => encodeEnvelope(env as Envelope)
  const raw = (env: object) => `${JSON.stringify(env, null, 2)}\n`
  const { iv: _iv, ...noIv } = j
  const { kms: _kms, ...noKms } = j
  const { kmsSecrets: _m, ...noMarker } = j
  const { shape: _s, ...noShape } = j
  const text = e(j)
  return [
    ['v1-tampered-tag', e({ ...j, tag: flip(j.tag) }), 'ERR_ENVELOPE_AUTH'],
    ['v1-tampered-tag-last-bit', e({ ...j, tag: flip(j.tag, 15) }), 'ERR_ENVELOPE_AUTH'],
    ['v1-tampered-iv', e({ ...j, iv: flip(j.iv, 5) }), 'ERR_ENVELOPE_AUTH'],
    ['v1-tampered-data', e({ ...j, data: flip(j.data, 7) }), 'ERR_ENVELOPE_AUTH'],
    ['v1-tampered-id', e({ ...j, id: 'other.secret.json' }), 'ERR_ENVELOPE_AUTH'],
    ['v1-tampered-format', e({ ...j, format: 'text' }), 'ERR_ENVELOPE_AUTH'],
    ['v1-tampered-shape', e({ ...j, shape: { object: { host: 'string', port: 'string' } } }), 'ERR_ENVELOPE_AUTH'],
    ['v1-removed-shape', e(noShape), 'ERR_ENVELOPE_AUTH'],
    [
      'v1-tampered-context',
      e({ ...b.context!.env, context: { app: 'api', env: 'dev' } }),
      'ERR_KMS_INVALID_CIPHERTEXT',
    ],
    ['v1-added-context', e({ ...j, context: { env: 'prod' } }), 'ERR_KMS_INVALID_CIPHERTEXT'],
    ['v1-removed-context', e({ ...b.context!.env, context: {} }), 'ERR_KMS_INVALID_CIPHERTEXT'],
    [
      'v1-tampered-blob',
      e({
        ...j,
        kms: { ...j.kms, blob: j.kms.blob.replace(/-k-(.)/, (_m, c: string) => `-k-${c === 'A' ? 'B' : 'A'}`) },
      }),
      'ERR_KMS_INVALID_CIPHERTEXT',
    ],
    ['v1-swapped-blob-other-cmk', e({ ...j, kms: b['other-cmk']!.env.kms }), 'ERR_ENVELOPE_AUTH'],
    ['v1-swapped-data-other-file', e({ ...j, iv: y.iv, data: y.data, tag: y.tag }), 'ERR_ENVELOPE_AUTH'],
    ['v1-swapped-envelope-id-mismatch', e(y), 'ERR_ENVELOPE_MISMATCH', 'db.secret.json'],
    ['v1-truncated-text', text.slice(0, Math.floor(text.length / 2)), 'ERR_ENVELOPE_PARSE'],
    [
      'v1-truncated-tag',
      e({ ...j, tag: Buffer.from(j.tag, 'base64').subarray(0, 15).toString('base64') }),
      'ERR_ENVELOPE_FIELD',
    ],
    [
      'v1-truncated-iv',
      e({ ...j, iv: Buffer.from(j.iv, 'base64').subarray(0, 11).toString('base64') }),
      'ERR_ENVELOPE_FIELD',
    ],
    [
      'v1-truncated-data',
      e({ ...j, data: Buffer.from(j.data, 'base64').subarray(0, -3).toString('base64') }),
      'ERR_ENVELOPE_AUTH',
    ],
    ['v1-empty-data', e({ ...j, data: '' }), 'ERR_ENVELOPE_AUTH'],
    ['v1-noncanonical-base64-iv', e({ ...j, iv: `${j.iv.slice(0, -1)}\n` }), 'ERR_ENVELOPE_FIELD'],
    ['v2-unknown-version', e({ ...j, kmsSecrets: 2 }), 'ERR_ENVELOPE_VERSION'],
    ['v0-unknown-version', e({ ...j, kmsSecrets: 0 }), 'ERR_ENVELOPE_VERSION'],
    ['v1-version-as-string', raw({ ...j, kmsSecrets: '1' }), 'ERR_ENVELOPE_FIELD'],
    ['v1-missing-marker', raw(noMarker), 'ERR_ENVELOPE_FIELD'],
    ['v1-wrong-alg', raw({ ...j, alg: 'AES-128-GCM' }), 'ERR_ENVELOPE_FIELD'],
    ['v1-alg-mode-mismatch', raw({ ...j, alg: 'KMS' }), 'ERR_ENVELOPE_FIELD'],
    ['v1-unknown-mode', raw({ ...j, mode: 'hybrid' }), 'ERR_ENVELOPE_FIELD'],
    ['v1-missing-iv', raw(noIv), 'ERR_ENVELOPE_FIELD'],
    ['v1-missing-kms', raw(noKms), 'ERR_ENVELOPE_FIELD'],
    ['v1-unknown-field', raw({ ...j, note: 'hello' }), 'ERR_ENVELOPE_FIELD'],
    ['v1-unknown-kms-field', raw({ ...j, kms: { ...j.kms, extra: 1 } }), 'ERR_ENVELOPE_FIELD'],
    ['v1-wrong-provider', raw({ ...j, kms: { ...j.kms, provider: 'aws' } }), 'ERR_ENVELOPE_FIELD'],
    ['v1-context-not-string', raw({ ...j, context: { n: 1 } }), 'ERR_ENVELOPE_FIELD'],
    ['v1-bad-format', raw({ ...j, format: 'toml' }), 'ERR_ENVELOPE_FIELD'],
    ['v1-reserved-context-key', e({ ...j, context: { 'kms-secrets': '1' } }), 'ERR_CONTEXT_INVALID'],
    ['v1-direct-with-iv', raw({ ...d, iv: j.iv }), 'ERR_ENVELOPE_FIELD'],
    [
      'v1-direct-tampered-blob',
      e({
        ...d,
        kms: { ...d.kms, blob: d.kms.blob.replace(/-k-(.)/, (_m, c: string) => `-k-${c === 'A' ? 'B' : 'A'}`) },
      }),
      'ERR_KMS_INVALID_CIPHERTEXT',
    ],
    ['v1-direct-added-context', e({ ...d, context: { app: 'api' } }), 'ERR_KMS_INVALID_CIPHERTEXT'],
    ['v1-direct-payload-not-json', e(b.notJson!.env), 'ERR_ENVELOPE_FIELD'],
    ['v1-not-json', 'this is not an envelope\n', 'ERR_ENVELOPE_PARSE'],
    ['v1-empty-file', '', 'ERR_ENVELOPE_PARSE'],
    ['v1-json-array', '[]\n', 'ERR_ENVELOPE_PARSE'],
  ]
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
  const built = await sealAll()
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
  const manifest: VectorManifest = {
    description:
      'kms-secrets sealed-envelope v1 test vectors. See packages/core/FORMAT.md. Generated once by scripts/gen-vectors.ts; never edit.',
    kms: { type: 'fake-kms', ...vectorKmsConfig },
    procedure:
      'decodeEnvelope(text, name) → openEnvelope(env, {provider: fake KMS, expectedId}) → decodePayload(bytes, env.format); the first error thrown must have expect.error as its code; otherwise UTF-8(bytes) === expect.plaintext and the value deep-equals expect.value.',
    vectors,
  }
  return { files, manifest }
}
