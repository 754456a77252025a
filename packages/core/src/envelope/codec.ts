import { KmsSecretsError } from '../errors.js'
import { findDuplicateKey } from './duplicate-keys.js'
import { type AnyEnvelope, ENVELOPE_MARKER, type ProjectEnvelope } from './types.js'
import { displayName, validateAnyEnvelope } from './validate.js'

// `{` then optional whitespace then `"kmsSecrets"` as the first key: the cheap marker test (leading whitespace as
// String#trim drops it: `\s` is the same set, and the text is not copied).
const markerFirstRE = /^\s*\{\s*"kmsSecrets"\s*:/

/**
 * Cheap check whether a file's text is a sealed envelope: a JSON object whose first key is `kmsSecrets`
 * (falls back to JSON.parse + a marker check for unusual spacing). Never throws.
 */
export function isEnvelopeText(text: string): boolean {
  if (typeof text !== 'string') return false
  if (markerFirstRE.test(text)) return true
  const trimmed = text.trim()
  if (!trimmed.startsWith('{')) return false
  if (!trimmed.includes(`"${ENVELOPE_MARKER}"`)) return false
  try {
    const obj: unknown = JSON.parse(trimmed)
    return typeof obj === 'object' && obj !== null && !Array.isArray(obj) && ENVELOPE_MARKER in obj
  } catch {
    return false
  }
}

/**
 * Whether a file's text is a sealed envelope that decodes strictly (`decodeEnvelope` accepts it): ciphertext and its
 * metadata only. Never throws. Where "sealed" lets a file's bytes through (a copy in the output, a cache kept on), this
 * is the test: a text that only carries the marker may hold plaintext in other fields or a repeated key.
 */
export function isSealedEnvelopeText(text: string): boolean {
  if (!isEnvelopeText(text)) return false
  try {
    decodeEnvelope(text)
    return true
  } catch {
    return false
  }
}

/**
 * Parses and strictly validates a sealed envelope of any mode (project included). Bad JSON, or a key twice in one
 * object → ERR_ENVELOPE_PARSE; unknown version → ERR_ENVELOPE_VERSION; missing, ill-typed or unknown field →
 * ERR_ENVELOPE_FIELD. Never throws anything else.
 */
export function decodeEnvelope(text: string, file?: string): AnyEnvelope {
  let obj: unknown
  try {
    if (typeof text !== 'string') throw new TypeError('not a string')
    obj = JSON.parse(text)
  } catch {
    // The SyntaxError message quotes the input, so it is dropped on purpose.
    throw new KmsSecretsError(
      'ERR_ENVELOPE_PARSE',
      `${file === undefined ? 'The sealed envelope' : `The sealed envelope in ${file}`} is not valid JSON.`,
      { hint: 'The file is truncated or damaged; restore it from git or re-seal it with `kms-secrets encrypt`.', file },
    )
  }
  const env = validateAnyEnvelope(obj, file)
  // JSON.parse keeps the last of equal keys: the text would carry a value (plaintext, say) that validation never saw,
  // and the file, or a copy of it in a build's output, would pass as sealed. Scanned after validation, so only a
  // well-formed envelope pays for it. The path's keys are known fields or context/shape keys, except inside the
  // shadowed earlier value of a repeated field (`{"data":{"k":1,"k":2},…}` names "data.k"): keys only, never a string
  // value, and displayName shows only short identifier-like ones.
  const dup = findDuplicateKey(text)
  if (dup !== undefined) throw duplicateKeyError(dup, file)
  // A file kms-secrets wrote is already in on-disk order: the parsed object is returned as it is (no copy, which was
  // the largest single item of the plugin's per-file work); any other order gets the ordered copy.
  const top = env.mode === 'direct' ? headOrder : env.mode === 'project' ? projectOrder : sealedOrder
  return inOrder(env, top) && inOrder(env.kms, kmsOrder) ? env : orderEnvelope(env)
}

function duplicateKeyError(path: readonly (string | number)[], file: string | undefined): KmsSecretsError {
  const name = path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${displayName(p)}`))
    .join('')
    .slice(1)
  return new KmsSecretsError(
    'ERR_ENVELOPE_PARSE',
    `${file === undefined ? 'The sealed envelope' : `The sealed envelope in ${file}`} has the key "${name}" twice: ` +
      'only one of its values would be validated, and the other would stay in the file.',
    { hint: 'Restore the file from git or re-seal it with `kms-secrets encrypt`.', file },
  )
}

/** On-disk field order (FORMAT.md), as orderEnvelope writes it: the top level per mode, and `kms`. */
const headOrder = ['kmsSecrets', 'alg', 'mode', 'id', 'format', 'kms', 'context', 'shape']
const sealedOrder = [...headOrder, 'salt', 'commit', 'iv', 'data', 'tag']
const projectOrder = [...headOrder, 'enc', 'salt', 'commit', 'iv', 'data', 'tag']
const kmsOrder = ['provider', 'region', 'keyId', 'blob', 'wrap', 'project']

/**
 * Whether the own keys of a validated object (known fields only, so each is in `order`) come in the order of `order`:
 * then orderEnvelope's copy would have the same fields in the same order.
 */
function inOrder(obj: object, order: readonly string[]): boolean {
  const keys = Object.keys(obj)
  let j = 0
  for (let i = 0; i < keys.length; i++) {
    while (j < order.length && order[j] !== keys[i]) j++
    if (j++ === order.length) return false
  }
  return true
}

/** Mode "project" in on-disk order (FORMAT.md §10.3): `kms` gains wrap + project; `enc` comes before salt. */
function orderProject(env: ProjectEnvelope): ProjectEnvelope {
  const { provider, region, keyId, blob, wrap, project } = env.kms
  return {
    kmsSecrets: env.kmsSecrets,
    alg: env.alg,
    mode: 'project',
    id: env.id,
    format: env.format,
    kms: { provider, region, keyId, blob, wrap, project },
    context: { ...env.context },
    ...(env.shape === undefined ? {} : { shape: env.shape }),
    enc: env.enc,
    salt: env.salt,
    commit: env.commit,
    iv: env.iv,
    data: env.data,
    tag: env.tag,
  }
}

/** A copy with the fields in the on-disk order of FORMAT.md. */
export function orderEnvelope<T extends AnyEnvelope>(env: T): T
export function orderEnvelope(env: AnyEnvelope): AnyEnvelope {
  if (env.mode === 'project') return orderProject(env)
  const head = {
    kmsSecrets: env.kmsSecrets,
    alg: env.alg,
    mode: env.mode,
    id: env.id,
    format: env.format,
    kms: { provider: env.kms.provider, region: env.kms.region, keyId: env.kms.keyId, blob: env.kms.blob },
    context: { ...env.context },
    ...(env.shape === undefined ? {} : { shape: env.shape }),
  }
  if (env.mode === 'direct') return { ...head, alg: 'KMS', mode: 'direct' }
  const commitment = env.salt === undefined && env.commit === undefined ? {} : { salt: env.salt, commit: env.commit }
  return {
    ...head,
    alg: env.alg as 'AES-256-GCM',
    mode: 'envelope',
    ...commitment,
    iv: env.iv,
    data: env.data,
    tag: env.tag,
  }
}

/** Deterministic text of an envelope: pretty JSON (2 spaces), fixed field order, trailing newline. */
export function encodeEnvelope(env: AnyEnvelope): string {
  return `${JSON.stringify(orderEnvelope(env), null, 2)}\n`
}
