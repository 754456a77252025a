/**
 * Mode "project" test vectors (FORMAT.md §10.5): a project key on the symmetric vector CMK, derived from a fixed ikm,
 * every HPKE ephemeral key from a fixed ekm, so the files reproduce byte for byte. Built after every v1/v2 vector on
 * the same fake KMS (its counter only moves forward, the earlier bytes stay what they were).
 */
import { createHmac } from 'node:crypto'
import type { FakeKms } from '@kms-secrets/testkit/fake-kms'
import { encodeEnvelope } from '../src/envelope/codec.js'
import type { AnyEnvelope, ProjectEnvelope } from '../src/envelope/types.js'
import type { ErrorCode } from '../src/errors.js'
import { createProjectKey } from '../src/project/create.js'
import { encodeProjectKey, type ProjectKey, projectKeyFingerprint } from '../src/project/file.js'
import { sealWithProjectKey } from '../src/project/seal.js'
import { parseSecretFile } from '../src/secret-file/parse.js'
import type { VectorEntry } from '../test/support/vectors.js'

function source(label: string, length: number): () => Uint8Array {
  let n = 0
  return () =>
    new Uint8Array(createHmac('sha256', 'vector-project').update(`${label}:${n++}`).digest().subarray(0, length))
}

async function seal(key: ProjectKey, label: string, id: string, format: 'json' | 'text', text: string) {
  const parsed = parseSecretFile(text, format, id)
  const env = await sealWithProjectKey(
    key,
    { id, format, payload: parsed.payload, ...(format === 'text' ? {} : { shape: parsed.shape }) },
    {
      randomIv: source(`${label}-iv`, 12),
      randomSalt: source(`${label}-salt`, 32),
      randomEkm: source(`${label}-ekm`, 32),
    },
  )
  return { env, plaintext: new TextDecoder().decode(parsed.payload), value: parsed.value }
}

export type ProjectVector = VectorEntry & { text: string }

export async function buildProjectVectors(kms: FakeKms): Promise<{ vectors: ProjectVector[]; keyFile: string }> {
  const key = await createProjectKey({ provider: kms, keyId: 'vector-key-1', ikm: source('ikm', 32)() })
  const ctxKey = await createProjectKey({
    provider: kms,
    keyId: 'vector-key-1',
    context: { app: 'api' },
    ikm: source('ikm-ctx', 32)(),
  })
  const json = await seal(key, 'json', 'db.secret.json', 'json', '{"host":"db.internal","password":"project sealed"}')
  const text = await seal(key, 'text', 'token.secret.txt', 'text', 'project-token-0123456789')
  const ctx = await seal(ctxKey, 'ctx', 'db.secret.json', 'json', '{"password":"project with context"}')
  const j: ProjectEnvelope = json.env
  const e = (env: object) => encodeEnvelope(env as AnyEnvelope)
  const raw = (env: object) => `${JSON.stringify(env, null, 2)}\n`
  const flip = (b64: string) => {
    const b = Buffer.from(b64, 'base64')
    b[0]! ^= 1
    return b.toString('base64')
  }
  const ok = (name: string, b: typeof json): ProjectVector => ({
    name,
    envelope: `${name}.envelope`,
    mode: 'project',
    expect: { plaintext: b.plaintext, value: b.value },
    text: e(b.env),
  })
  const bad = (name: string, body: string, error: ErrorCode): ProjectVector => ({
    name,
    envelope: `${name}.envelope`,
    mode: 'project',
    expect: { error },
    text: body,
  })
  const vectors = [
    ok('p2-ok-json', json),
    ok('p2-ok-text', text),
    ok('p2-ok-context', ctx),
    bad('p2-tampered-enc', e({ ...j, enc: text.env.enc }), 'ERR_ENVELOPE_COMMITMENT'),
    bad(
      'p2-edited-project',
      e({ ...j, kms: { ...j.kms, project: projectKeyFingerprint(ctxKey) } }),
      'ERR_KMS_INVALID_CIPHERTEXT',
    ),
    bad('p2-edited-keyid', e({ ...j, kms: { ...j.kms, keyId: 'vector-key-2' } }), 'ERR_ENVELOPE_KEY'),
    bad('p2-swapped-blob-other-project', e({ ...j, kms: ctx.env.kms }), 'ERR_KMS_INVALID_CIPHERTEXT'),
    bad('p2-tampered-id', e({ ...j, id: 'other.secret.json' }), 'ERR_ENVELOPE_AUTH'),
    bad('p2-tampered-tag', e({ ...j, tag: flip(j.tag) }), 'ERR_ENVELOPE_AUTH'),
    bad('p2-project-in-v1', raw({ ...j, kmsSecrets: 1 }), 'ERR_ENVELOPE_FIELD'),
    bad('p2-unknown-wrap', raw({ ...j, kms: { ...j.kms, wrap: 'AES' } }), 'ERR_ENVELOPE_FIELD'),
  ]
  return { vectors, keyFile: encodeProjectKey(key) }
}
