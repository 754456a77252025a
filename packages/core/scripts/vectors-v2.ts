/**
 * The v2 test vectors (key commitment; kms.keyId checked against the CMK KMS reports): positives and the mutations v2 must refuse,
 * including the two-key ("invisible salamanders") forgery. Built after every v1 vector on the same fake KMS.
 */
import { createHmac } from 'node:crypto'
import type { FakeKms } from '@kms-secrets/testkit/fake-kms'
import { deriveCommittedKey } from '../src/crypto/commit.js'
import { encryptionContextFor, envelopeAad } from '../src/envelope/aad.js'
import { encodeEnvelope } from '../src/envelope/codec.js'
import type { DirectEnvelope, Envelope, SealedEnvelope } from '../src/envelope/types.js'
import type { ErrorCode } from '../src/errors.js'
import { createSealer } from '../src/seal/sealer.js'
import { wrapBlob } from '../src/seal/wrap.js'
import { parseSecretFile } from '../src/secret-file/parse.js'
import { toBase64 } from '../src/util/base64.js'
import { forgeTwoKeyGcm } from '../test/support/two-key-gcm.js'
import type { VectorEntry } from '../test/support/vectors.js'

const enc = (s: string) => new TextEncoder().encode(s)

function source(label: string, length: number): () => Uint8Array {
  let n = 0
  return () => new Uint8Array(createHmac('sha256', 'vector-v2').update(`${label}:${n++}`).digest().subarray(0, length))
}

function flip(b64: string, index = 0): string {
  const bytes = Buffer.from(b64, 'base64')
  bytes[index % bytes.length]! ^= 1
  return bytes.toString('base64')
}

type Input = [id: string, format: 'json' | 'text', text: string]

async function seal(kms: FakeKms, label: string, keyId: string, input: Input, context?: Record<string, string>) {
  const sealer = createSealer({
    provider: kms,
    keyId,
    ...(context ? { context } : {}),
    randomIv: source(`${label}-iv`, 12),
    randomSalt: source(`${label}-salt`, 32),
  })
  const [id, format, text] = input
  const parsed = parseSecretFile(text, format, id)
  try {
    const env = await sealer.seal({
      id,
      format,
      payload: parsed.payload,
      ...(format === 'text' ? {} : { shape: parsed.shape }),
    })
    return { env, plaintext: new TextDecoder().decode(parsed.payload), value: parsed.value }
  } finally {
    sealer.dispose()
  }
}

/**
 * Two data keys under the same CMK (as anyone allowed GenerateDataKey can get), and ONE (iv, data, tag) valid under
 * the AES keys both derive with the same salt. The envelope carries the second key's blob but the first key's
 * commitment: only the commitment check stands between it and a value nobody reviewed.
 */
async function forgedTwoKey(kms: FakeKms): Promise<SealedEnvelope> {
  const encryptionContext = encryptionContextFor({})
  const dk1 = await kms.generateDataKey({ keyId: 'vector-key-1', encryptionContext })
  const dk2 = await kms.generateDataKey({ keyId: 'vector-key-1', encryptionContext })
  const salt = source('forged-salt', 32)()
  const iv = source('forged-iv', 12)()
  const k1 = deriveCommittedKey(dk1.plaintext, salt)
  const k2 = deriveCommittedKey(dk2.plaintext, salt)
  const head: SealedEnvelope = {
    kmsSecrets: 2,
    alg: 'AES-256-GCM',
    mode: 'envelope',
    id: 'flag.secret.txt',
    format: 'text',
    kms: { provider: 'tencent', region: 'ap-guangzhou', keyId: 'vector-key-1', blob: dk2.ciphertextBlob },
    context: {},
    shape: 'string',
    salt: toBase64(salt),
    commit: toBase64(k1.commit),
    iv: toBase64(iv),
    data: '',
    tag: '',
  }
  const forged = forgeTwoKeyGcm(k1.key, k2.key, iv, envelopeAad(head), enc('feature-flag: off, reviewed ok..'))
  for (const b of [dk1.plaintext, dk2.plaintext, k1.key, k2.key]) b.fill(0)
  return { ...head, data: toBase64(forged.data), tag: toBase64(forged.tag) }
}

export type V2Vector = VectorEntry & { text: string }

export async function buildV2Vectors(kms: FakeKms): Promise<V2Vector[]> {
  const json = await seal(kms, 'json', 'vector-key-1', [
    'db.secret.json',
    'json',
    '{"host":"db.internal","port":5432,"password":"v2 committed password"}',
  ])
  const text = await seal(kms, 'text', 'vector-key-1', ['token.secret.txt', 'text', 'v2-token-0123456789'])
  const ctx = await seal(kms, 'ctx', 'vector-key-1', ['db.secret.json', 'json', '{"password":"v2 prod"}'], {
    app: 'api',
    env: 'prod',
  })
  const other = await seal(kms, 'other', 'vector-key-2', ['db.secret.json', 'json', '{"password":"v2 other"}'])
  const sameCmk = await seal(kms, 'same', 'vector-key-1', ['db.secret.json', 'json', '{"password":"v2 same"}'])
  const directBlob = await kms.encrypt({ keyId: 'vector-key-1', plaintext: enc('v2 console-made secret') })
  const direct = wrapBlob({
    blob: directBlob.ciphertextBlob,
    keyId: directBlob.keyId,
    region: 'ap-guangzhou',
    id: 'console.secret.txt',
    format: 'text',
  })
  const j = json.env
  const d: DirectEnvelope = direct
  const { salt: _s2, commit: _c2, ...v1Shaped } = j
  // The raw (unencoded) mutations were first written with salt/commit after tag; kept so their bytes stay frozen.
  const asWritten = { ...v1Shaped, salt: j.salt, commit: j.commit }
  const { commit: _c, ...noCommit } = asWritten
  const { salt: _s, ...noSalt } = asWritten
  const e = (env: object) => encodeEnvelope(env as Envelope)
  const raw = (env: object) => `${JSON.stringify(env, null, 2)}\n`
  const ok = (name: string, env: Envelope, b: { plaintext: string; value: unknown }): V2Vector => ({
    name,
    envelope: `${name}.envelope`,
    expect: { plaintext: b.plaintext, value: b.value },
    text: e(env),
  })
  const bad = (name: string, text: string, error: ErrorCode): V2Vector => ({
    name,
    envelope: `${name}.envelope`,
    expect: { error },
    text,
  })
  return [
    ok('v2-ok-json', j, json),
    ok('v2-ok-text', text.env, text),
    ok('v2-ok-context', ctx.env, ctx),
    ok('v2-ok-other-cmk', other.env, other),
    ok('v2-ok-direct', d, { plaintext: 'v2 console-made secret', value: 'v2 console-made secret' }),
    bad('v2-two-key-forged', e(await forgedTwoKey(kms)), 'ERR_ENVELOPE_COMMITMENT'),
    bad('v2-swapped-blob-same-cmk', e({ ...j, kms: sameCmk.env.kms }), 'ERR_ENVELOPE_COMMITMENT'),
    bad('v2-swapped-blob-other-cmk', e({ ...j, kms: other.env.kms }), 'ERR_ENVELOPE_COMMITMENT'),
    bad('v2-tampered-commit', e({ ...j, commit: flip(j.commit!) }), 'ERR_ENVELOPE_COMMITMENT'),
    bad('v2-tampered-commit-last-bit', e({ ...j, commit: flip(j.commit!, 31) }), 'ERR_ENVELOPE_COMMITMENT'),
    bad('v2-tampered-salt', e({ ...j, salt: flip(j.salt!, 9) }), 'ERR_ENVELOPE_COMMITMENT'),
    bad('v2-edited-keyid', e({ ...j, kms: { ...j.kms, keyId: 'vector-key-2' } }), 'ERR_ENVELOPE_KEY'),
    bad('v2-edited-keyid-unknown', e({ ...j, kms: { ...j.kms, keyId: 'vector-key-9' } }), 'ERR_ENVELOPE_KEY'),
    bad('v2-direct-edited-keyid', e({ ...d, kms: { ...d.kms, keyId: 'vector-key-2' } }), 'ERR_ENVELOPE_KEY'),
    bad('v2-tampered-tag', e({ ...j, tag: flip(j.tag) }), 'ERR_ENVELOPE_AUTH'),
    bad('v2-tampered-data', e({ ...j, data: flip(j.data, 3) }), 'ERR_ENVELOPE_AUTH'),
    bad('v2-tampered-id', e({ ...j, id: 'other.secret.json' }), 'ERR_ENVELOPE_AUTH'),
    bad('v2-tampered-shape', e({ ...j, shape: { object: { host: 'string' } } }), 'ERR_ENVELOPE_AUTH'),
    bad('v2-downgraded-to-v1', e({ ...v1Shaped, kmsSecrets: 1 }), 'ERR_ENVELOPE_AUTH'),
    bad('v2-missing-commit', raw(noCommit), 'ERR_ENVELOPE_FIELD'),
    bad('v2-missing-salt', raw(noSalt), 'ERR_ENVELOPE_FIELD'),
    bad(
      'v2-truncated-commit',
      e({ ...j, commit: Buffer.from(j.commit!, 'base64').subarray(0, 31).toString('base64') }),
      'ERR_ENVELOPE_FIELD',
    ),
    bad('v2-commit-in-v1', raw({ ...asWritten, kmsSecrets: 1 }), 'ERR_ENVELOPE_FIELD'),
    bad('v2-direct-with-commit', raw({ ...d, commit: j.commit }), 'ERR_ENVELOPE_FIELD'),
    bad('v3-unknown-version', e({ ...j, kmsSecrets: 3 }), 'ERR_ENVELOPE_VERSION'),
  ]
}
