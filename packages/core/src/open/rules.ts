import { authError, ivLength, keyLength, tagLength, zero } from '../crypto/aead.js'
import { envelopeAad, envelopeEncryptionContext } from '../envelope/aad.js'
import { checkReportedKeyId, commitmentError, equalConstantTime, isCommitted } from '../envelope/commitment.js'
import type { AnyEnvelope, DirectEnvelope, ProjectEnvelope, SealedEnvelope } from '../envelope/types.js'
import { KmsSecretsError } from '../errors.js'
import type { DecryptResult } from '../kms/types.js'
import { projectExporterContext, projectHpkeInfo } from '../project/constants.js'
import { fromBase64Strict } from '../util/base64.js'

/**
 * THE open path of the envelope format (FORMAT.md §3, §7, §10.4), written once for every opener: core's
 * `openEnvelope` (CLI, plugin), the runtime on node:crypto (synchronous) and on WebCrypto (workerd), and the runtime's
 * sync worker. As the AWS Encryption SDK separates materials from the cipher, the rules here decide everything —
 * which fields are decoded, the id check, the AAD, the KMS EncryptionContext, the reported-KeyId check, v1 vs v2 vs
 * project, the key commitment before any decryption, what is zeroed — and ask an `Opener` for each key and crypto
 * operation, in the one order fixed in `runOpen`. Each answer may be a value or a promise: `runOpen` continues
 * synchronously while the answers are plain values (node:crypto, a cached key: no promise at all) and chains from
 * the first promise on (WebCrypto, a KMS call). Plain functions and closures, not a generator: the open path runs
 * ~100 times at start in a cold process, where generator resumes cost more than the crypto.
 */

/** A key as the primitive set holds it (KeyObject, CryptoKey pair, bytes), or null: not a 32-byte data key. */
export interface KeyHandle<K> {
  key: K | null
  /** The CMK KMS reported for the blob the key came from (checked against `kms.keyId` for every envelope). */
  keyId: string
}

/** The decoded ciphertext fields of a sealed value. */
export interface SealedBytes {
  iv: Uint8Array
  data: Uint8Array
  tag: Uint8Array
}

/** v2 key schedule output (FORMAT.md §3.2): the value key as the primitive set holds it, and the commitment. */
export interface DerivedKey<K> {
  key: K
  commit: Uint8Array
}

type Maybe<T> = T | Promise<T>

/** The cipher: the crypto primitives over a data key handle `K` (node:crypto KeyObject, WebCrypto keys, …). */
export interface OpenCipher<K> {
  /** A handle for a 32-byte data key; the rules zero `raw` right after. */
  importKey(raw: Uint8Array): Maybe<K>
  /** HKDF-SHA256(ikm = key, salt) with info keyInfo → value key, and with commitInfo → commitment (32 bytes each). */
  deriveCommitted(key: K, salt: Uint8Array): Maybe<DerivedKey<K>>
  /** AES-256-GCM open; any failure (tag, lengths) throws or rejects (the rules report ERR_ENVELOPE_AUTH). */
  decipher(key: K, sealed: SealedBytes, aad: Uint8Array): Maybe<Uint8Array>
  /** Forgets a derived value key (zeroes it when it is bytes). */
  release(key: K): void
}

/** The materials: where keys come from (KMS Decrypt, a cache of unwrapped keys, the project key's HPKE). */
export interface OpenMaterials<K, P> {
  /** Mode "envelope": the data key unwrapped from `env.kms.blob` with this EncryptionContext (or a cached one). */
  dataKey(env: SealedEnvelope, encryptionContext: string): Maybe<KeyHandle<K>>
  /** Mode "direct": KMS Decrypt of the blob, whose plaintext is the payload. */
  decrypt(env: DirectEnvelope, encryptionContext: string | undefined): Maybe<DecryptResult>
  /** Mode "project" (absent: this opener does not read project envelopes): the unwrapped project private key. */
  projectKey?(env: ProjectEnvelope): Maybe<KeyHandle<P>>
  /** HPKE SetupBaseR(enc, key, info) + Export(exporterContext, 32): the value's data key (the rules zero it). */
  hpkeExport?(key: P, enc: Uint8Array, info: Uint8Array, exporterContext: Uint8Array): Maybe<Uint8Array>
}

export type Opener<K, P = never> = OpenCipher<K> & OpenMaterials<K, P>

export interface OpenRulesOptions {
  file?: string
  /** When given, the envelope's `id` must equal it (ERR_ENVELOPE_MISMATCH otherwise). */
  expectedId?: string
  /**
   * The envelope passed `validateAnyEnvelope` (the runtime): its base64 fields are canonical, so they are decoded
   * without checking them a second time. Otherwise each is checked strictly (ERR_ENVELOPE_FIELD).
   */
  validated?: boolean
  /** Precomputed `envelopeEncryptionContext(env)` / `envelopeAad(env)` (an opener's memo); computed here if absent. */
  encryptionContext?: string | undefined
  aad?: Uint8Array
}

function fieldError(field: string, file: string | undefined): KmsSecretsError {
  return new KmsSecretsError('ERR_ENVELOPE_FIELD', `Field "${field}" of the sealed envelope is not canonical base64.`, {
    hint: 'Decode envelopes with decodeEnvelope() before opening them.',
    file,
  })
}

/** Node's and Bun's Buffer decodes base64 natively; elsewhere atob. Only for fields validation already checked. */
const NodeBuffer = (globalThis as { Buffer?: { from(text: string, encoding: 'base64'): Uint8Array } }).Buffer

function fastBytes(text: string): Uint8Array {
  if (NodeBuffer !== undefined) return NodeBuffer.from(text, 'base64')
  const bin = atob(text)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

type Field = 'iv' | 'data' | 'tag' | 'salt' | 'commit' | 'enc'

function fieldBytes(env: SealedEnvelope | ProjectEnvelope, field: Field, o: OpenRulesOptions): Uint8Array {
  const text = (env as Partial<Record<Field, unknown>>)[field]
  if (typeof text !== 'string') throw fieldError(field, o.file)
  const bytes = o.validated ? fastBytes(text) : fromBase64Strict(text)
  if (bytes === undefined) throw fieldError(field, o.file)
  return bytes
}

function mismatchError(env: AnyEnvelope, expectedId: string, file: string | undefined): KmsSecretsError {
  return new KmsSecretsError(
    'ERR_ENVELOPE_MISMATCH',
    `The sealed envelope imported as ${file ?? expectedId} was sealed for id "${env.id}", not "${expectedId}".`,
    { hint: 'Envelopes cannot be moved between files; re-seal the value for this file.', file },
  )
}

/** Mode "project" reached an opener without project support (the runtime's `@kms-secrets/runtime/project`). */
export function projectUnsupportedError(file: string | undefined): KmsSecretsError {
  const what = file === undefined ? 'A sealed envelope' : file
  return new KmsSecretsError(
    'ERR_PROJECT_KEY',
    `${what} is sealed with a project key (mode "project"), and this opener was built without project mode.`,
    {
      hint: "Rebuild with unplugin-kms-secrets (it adds `import '@kms-secrets/runtime/project'` for project-key secrets), or add that import to your entry.",
      file,
    },
  )
}

/** `f(value)` now, or when the promise settles. */
function then<T, R>(value: Maybe<T>, f: (v: T) => Maybe<R>): Maybe<R> {
  return isThenable(value) ? value.then(f) : f(value)
}

/** try/catch/finally over a step that may be async: `fail` maps any failure (it throws), `done` runs after both. */
function guard<T>(step: () => Maybe<T>, fail: ((e: unknown) => never) | undefined, done?: () => void): Maybe<T> {
  let result: Maybe<T>
  try {
    result = step()
  } catch (e) {
    done?.()
    if (fail !== undefined) fail(e)
    throw e
  }
  if (!isThenable(result)) {
    done?.()
    return result
  }
  return result.then(
    (v) => {
      done?.()
      return v
    },
    (e: unknown) => {
      done?.()
      if (fail !== undefined) fail(e)
      throw e
    },
  )
}

/**
 * Opens one envelope by the rules of the format with this opener's materials and primitives; returns the payload
 * bytes (the caller decodes and zeroes them), synchronously when every answer was a value. Mode "envelope" v1:
 * AES-GCM under the data key; v2 and "project": the commitment compared in constant time before AES-GCM under the
 * derived key. Every key and secret intermediate is zeroed or released here, whatever fails.
 */
export function runOpen<K, P>(env: AnyEnvelope, opener: Opener<K, P>, o: OpenRulesOptions = {}): Maybe<Uint8Array> {
  const { file, expectedId } = o
  if (expectedId !== undefined && env.id !== expectedId) throw mismatchError(env, expectedId, file)
  if (env.mode === 'direct') {
    const ec = 'encryptionContext' in o ? o.encryptionContext : envelopeEncryptionContext(env)
    return then(opener.decrypt(env, ec), (res) => {
      try {
        checkReportedKeyId(env, res.keyId, file)
      } catch (e) {
        zero(res.plaintext)
        throw e
      }
      return res.plaintext
    })
  }
  // Decoded (and, unvalidated, checked) before any KMS call: a damaged envelope costs nothing.
  const sealed: SealedBytes = {
    iv: fieldBytes(env, 'iv', o),
    data: fieldBytes(env, 'data', o),
    tag: fieldBytes(env, 'tag', o),
  }
  const committed = isCommitted(env)
  const salt = committed ? fieldBytes(env, 'salt', o) : undefined
  const stored = committed ? fieldBytes(env, 'commit', o) : undefined
  let key: Maybe<K | null>
  if (env.mode === 'project') {
    key = projectDataKey(env, opener, fieldBytes(env, 'enc', o), file)
  } else {
    const ec = o.encryptionContext ?? envelopeEncryptionContext(env)!
    key = then(opener.dataKey(env, ec), (handle) => {
      // Checked for EVERY envelope sharing the key, so a copy with an edited kms.keyId cannot ride on it.
      checkReportedKeyId(env, handle.keyId, file)
      return handle.key
    })
  }
  const auth = (): never => {
    throw authError(file)
  }
  return then(key, (k) => {
    // A blob that does not unwrap to 32 bytes (e.g. a direct blob moved into a sealed envelope) opens nothing.
    if (k === null || sealed.iv.length !== ivLength || sealed.tag.length !== tagLength) auth()
    const dataKey = k as K
    const aad = o.aad ?? envelopeAad(env)
    if (salt === undefined || stored === undefined) return guard(() => opener.decipher(dataKey, sealed, aad), auth)
    return then(opener.deriveCommitted(dataKey, salt), (derived) =>
      guard(
        () => {
          const same = equalConstantTime(derived.commit, stored)
          zero(derived.commit)
          if (!same) throw commitmentError(file)
          return guard(() => opener.decipher(derived.key, sealed, aad), auth)
        },
        undefined,
        () => opener.release(derived.key),
      ),
    )
  })
}

/** Mode "project": the project private key, its reported KeyId, HPKE → the value's data key (raw bytes zeroed). */
function projectDataKey<K, P>(
  env: ProjectEnvelope,
  opener: Opener<K, P>,
  enc: Uint8Array,
  file: string | undefined,
): Maybe<K | null> {
  if (opener.projectKey === undefined || opener.hpkeExport === undefined) throw projectUnsupportedError(file)
  const { projectKey, hpkeExport } = opener as Required<Opener<K, P>>
  return then(projectKey.call(opener, env), (handle) => {
    // Checked for EVERY envelope sharing the key, so a copy with an edited kms.keyId cannot ride on it.
    checkReportedKeyId(env, handle.keyId, file)
    /* Precondition: the unwrapped key is this project's P-256 private key; anything else is not its key. */
    if (handle.key === null) throw commitmentError(file)
    const info = projectHpkeInfo(env.kms.project)
    const exported = guard(
      () => hpkeExport.call(opener, handle.key as P, enc, info, projectExporterContext),
      () => {
        throw authError(file)
      },
    )
    return then(exported, (raw) => {
      if (raw.length !== keyLength) {
        zero(raw)
        return null
      }
      return guard(
        () => opener.importKey(raw),
        undefined,
        () => zero(raw),
      )
    })
  })
}

/**
 * The 32-byte data key from a KMS Decrypt result as a handle, zeroing the raw bytes whatever happens; not 32 bytes
 * → `key: null` (every envelope using that blob then fails authentication).
 */
export function importDataKey<K>(cipher: OpenCipher<K>, res: DecryptResult): Maybe<KeyHandle<K>> {
  const { plaintext, keyId } = res
  if (plaintext.length !== keyLength) {
    zero(plaintext)
    return { key: null, keyId }
  }
  let key: Maybe<K>
  try {
    key = cipher.importKey(plaintext)
  } finally {
    // createSecretKey and WebCrypto importKey copy the bytes synchronously (W3C WebCrypto importKey step 2).
    zero(plaintext)
  }
  return isThenable(key) ? key.then((k) => ({ key: k, keyId })) : { key, keyId }
}

function isThenable<T>(value: Maybe<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}
