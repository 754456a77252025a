import { KmsSecretsError } from '../errors.js'
import { fingerprintRE, PROJECT_ALG, projectPublicKeyLength, projectWraps } from '../project/constants.js'
import { strictBase64Length } from '../util/base64.js'
import { isPlainObject } from '../util/canonical-json.js'
import { commitLength, saltLength } from './commitment.js'
import { isShape } from './shape-check.js'
import { type AnyEnvelope, ENVELOPE_ALG, ENVELOPE_MARKER, ENVELOPE_VERSIONS, type Envelope } from './types.js'

type Check = (value: unknown) => boolean
type Mode = 'envelope' | 'direct' | 'project'

/** Upper bounds that keep a hostile envelope from costing much before authentication. */
const text =
  (max: number, empty = false): Check =>
  (v) =>
    typeof v === 'string' && v.length <= max && (empty || v !== '')
/** Canonical base64, of `length` bytes when given. */
const bytes =
  (length?: number): Check =>
  (v) => {
    const n = typeof v === 'string' ? strictBase64Length(v) : undefined
    return n !== undefined && (length === undefined || n === length)
  }
const is =
  (...allowed: readonly unknown[]): Check =>
  (v) =>
    allowed.includes(v)

type Checks = Record<string, Check>
/** The fields of each mode, in the order they are checked, and what each must be (FORMAT.md §2, §10). */
const common: Checks = {
  id: text(1024),
  format: is('json', 'yaml', 'env', 'text'),
  context: (v) => isPlainObject(v) && Object.values(v).every((s) => typeof s === 'string'),
  shape: (v) => v === undefined || isShape(v),
}
/** v2 adds the key commitment (salt, commit) to the sealed modes; mode "project" adds HPKE `enc`. */
const cipher: Checks = { iv: bytes(12), data: bytes(), tag: bytes(16) }
const commitment: Checks = { salt: bytes(saltLength), commit: bytes(commitLength) }
const kmsChecks = (mode: Mode): Checks => ({
  provider: is('tencent'),
  region: text(64),
  keyId: text(256, mode === 'direct'),
  blob: text(64 * 1024),
  ...(mode === 'project' && {
    wrap: is(...projectWraps),
    project: (v) => typeof v === 'string' && fingerprintRE.test(v),
  }),
})
/** [top-level, kms] checks per mode and version, made once (validation runs once per secret import at start). */
const plans = new Map<string, [Checks, Checks]>()

function planFor(mode: Mode, v: number): [Checks, Checks] {
  let p = plans.get(mode + v)
  if (p === undefined) {
    const top: Checks = {
      [ENVELOPE_MARKER]: () => true,
      mode: () => true,
      alg: is({ envelope: ENVELOPE_ALG, direct: 'KMS', project: PROJECT_ALG }[mode]),
      kms: isPlainObject,
      ...common,
      ...(mode !== 'direct' && v >= 2 && commitment),
      ...(mode !== 'direct' && cipher),
      ...(mode === 'project' && { enc: bytes(projectPublicKeyLength) }),
    }
    p = [top, kmsChecks(mode)]
    plans.set(mode + v, p)
  }
  return p
}

function where(file: string | undefined): string {
  return file === undefined ? 'the sealed envelope' : `the sealed envelope in ${file}`
}

/** Field names come from untrusted input: show short identifier-like ones, never arbitrary (or secret) text. */
export const displayName = (field: string): string =>
  field.replace(/[^.]+/g, (part) => (/^[A-Za-z_$][\w$-]{0,63}$/.test(part) ? part : '(name not shown)'))

function fieldError(field: string, problem: string, file: string | undefined): KmsSecretsError {
  return new KmsSecretsError('ERR_ENVELOPE_FIELD', `Field "${displayName(field)}" of ${where(file)} ${problem}.`, {
    hint: 'Restore the file from git or re-seal it with `kms-secrets encrypt`.',
    file,
  })
}

/**
 * Only the listed fields, each passing its check; the first failure names the field (never its value). An indexed
 * loop, and the plan indexed rather than destructured: validation runs for every value opened, mostly in V8's
 * interpreter, where a for-of or an array destructuring runs the iterator protocol.
 */
function checkFields(obj: Record<string, unknown>, checks: Checks, prefix: string, v: number, file?: string) {
  const keys = Object.keys(obj)
  for (let i = 0; i < keys.length; i++)
    if (!Object.hasOwn(checks, keys[i]!)) throw fieldError(prefix + keys[i], `is not part of format version ${v}`, file)
  for (const name in checks)
    if (!checks[name]!(obj[name]))
      throw fieldError(prefix + name, obj[name] === undefined ? 'is missing' : 'is invalid', file)
}

/**
 * Validates a parsed envelope object of the data-key modes "envelope" and "direct" (format version 1 or 2, see
 * FORMAT.md) and returns it typed. Mode "project" is refused (ERR_ENVELOPE_FIELD) so an opener that cannot unwrap a
 * project key fails closed with a clear message; use `validateAnyEnvelope` where it is supported.
 */
export function validateEnvelope(obj: unknown, file?: string): Envelope {
  const env = validateAnyEnvelope(obj, file)
  if (env.mode === 'project')
    throw fieldError('mode', 'is "project" (a project key), which this opener does not read', file)
  return env
}

/**
 * Validates a parsed envelope object of any mode, "project" included (format version 1 or 2, see FORMAT.md).
 * Version is checked first (ERR_ENVELOPE_VERSION), then every field (ERR_ENVELOPE_FIELD); unknown fields are
 * rejected. Messages name the file and field, never a value.
 */
export function validateAnyEnvelope(obj: unknown, file?: string): AnyEnvelope {
  if (!isPlainObject(obj))
    throw new KmsSecretsError('ERR_ENVELOPE_PARSE', `${where(file)} is not a JSON object.`, {
      hint: 'A sealed envelope is the JSON object `kms-secrets encrypt` writes.',
      file,
    })
  const v = obj[ENVELOPE_MARKER]
  if (typeof v !== 'number') throw fieldError(ENVELOPE_MARKER, v === undefined ? 'is missing' : 'is invalid', file)
  if (!(ENVELOPE_VERSIONS as readonly number[]).includes(v))
    throw new KmsSecretsError(
      'ERR_ENVELOPE_VERSION',
      `${where(file)} has format version ${v}; this build reads ${ENVELOPE_VERSIONS.join(', ')}.`,
      {
        hint: 'Upgrade @kms-secrets packages.',
        file,
      },
    )
  const mode = obj.mode as Mode
  if (!(mode === 'envelope' || mode === 'direct' || (mode === 'project' && v >= 2)))
    throw fieldError('mode', mode === undefined ? 'is missing' : 'is invalid', file)
  const plan = planFor(mode, v)
  if (isPlainObject(obj.kms)) checkFields(obj.kms, plan[1], 'kms.', v, file)
  checkFields(obj, plan[0], '', v, file)
  return obj as unknown as AnyEnvelope
}
