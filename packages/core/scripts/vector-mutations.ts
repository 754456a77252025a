/** The negative v1 vectors: each a mutation of a valid v1 envelope and the error code it must produce. */

import { encodeEnvelope } from '../src/envelope/codec.js'
import type { DirectEnvelope, Envelope, SealedEnvelope } from '../src/envelope/types.js'
import type { VectorEntry } from '../test/support/vectors.js'

/** Flips the lowest bit of byte `index` of a base64 field. */
function flip(b64: string, index = 0): string {
  const bytes = Buffer.from(b64, 'base64')
  bytes[index % bytes.length]! ^= 1
  return bytes.toString('base64')
}

export interface Built {
  env: Envelope
  plaintext: string
  value: unknown
}

export type Mutation = [name: string, text: string, error: VectorEntry['expect'] | string, expectedId?: string]

export function mutations(b: Record<string, Built>): Mutation[] {
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
    // Written when 2 was unknown (then ERR_ENVELOPE_VERSION); now version 2 exists and this text lacks its salt/commit.
    ['v2-unknown-version', e({ ...j, kmsSecrets: 2 }), 'ERR_ENVELOPE_FIELD'],
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
