import { KmsSecretsError } from '../errors.js'
import { fingerprintRE, PROJECT_ALG, projectPublicKeyLength, projectWraps } from '../project/constants.js'
import { strictBase64Length } from '../util/base64.js'
import { isPlainObject } from '../util/canonical-json.js'
import { commitLength, saltLength } from './commitment.js'
import { isShape } from './shape-check.js'
import {
  type AnyEnvelope,
  ENVELOPE_ALG,
  ENVELOPE_MARKER,
  ENVELOPE_VERSIONS,
  type Envelope,
  type EnvelopeKms,
} from './types.js'

const sealedFields = ['kmsSecrets', 'alg', 'mode', 'id', 'format', 'kms', 'context', 'shape', 'iv', 'data', 'tag']
/** v2 adds the key commitment (FORMAT.md §2): salt and commit, mode "envelope" only. */
const sealedFieldsV2 = [...sealedFields, 'salt', 'commit']
const directFields = ['kmsSecrets', 'alg', 'mode', 'id', 'format', 'kms', 'context', 'shape']
const kmsFields = ['provider', 'region', 'keyId', 'blob']
/** Mode "project" (v2, FORMAT.md §10): the v2 fields plus HPKE `enc`; `kms` names the wrap and the project key. */
const projectFields = [...sealedFieldsV2, 'enc']
const projectKmsFields = [...kmsFields, 'wrap', 'project']
type Mode = 'envelope' | 'direct' | 'project'
const algOfMode = { envelope: ENVELOPE_ALG, direct: 'KMS', project: PROJECT_ALG } as const
const formats: ReadonlySet<unknown> = new Set(['json', 'yaml', 'env', 'text'])
/** Upper bounds that keep a hostile envelope from costing much before authentication. */
const maxIdLength = 1024
const maxBlobLength = 64 * 1024

function where(file: string | undefined): string {
  return file === undefined ? 'the sealed envelope' : `the sealed envelope in ${file}`
}

const printableNameRE = /^[A-Za-z_$][\w$-]{0,63}$/

/** Field names come from untrusted input: show short identifier-like ones, never arbitrary (or secret) text. */
function displayName(field: string): string {
  return field
    .split('.')
    .map((part) => (printableNameRE.test(part) ? part : '(name not shown)'))
    .join('.')
}

function fieldError(field: string, problem: string, file: string | undefined): KmsSecretsError {
  return new KmsSecretsError('ERR_ENVELOPE_FIELD', `Field "${displayName(field)}" of ${where(file)} ${problem}.`, {
    hint: 'The file is damaged or was edited by hand; restore it from git or re-seal it with `kms-secrets encrypt`.',
    file,
  })
}

function checkVersion(obj: Record<string, unknown>, file: string | undefined): number {
  const v = obj[ENVELOPE_MARKER]
  if (v === undefined) throw fieldError(ENVELOPE_MARKER, 'is missing', file)
  if (typeof v !== 'number') throw fieldError(ENVELOPE_MARKER, 'is not a number', file)
  if (!(ENVELOPE_VERSIONS as readonly number[]).includes(v)) {
    throw new KmsSecretsError(
      'ERR_ENVELOPE_VERSION',
      `${where(file)} has format version ${v}; this build reads ${ENVELOPE_VERSIONS.join(' and ')}.`,
      { hint: 'Upgrade @kms-secrets packages to a version that reads this envelope format.', file },
    )
  }
  return v
}

function checkAllowed(obj: Record<string, unknown>, allowed: string[], prefix: string, v: number, file?: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw fieldError(`${prefix}${key}`, `is not part of format version ${v}`, file)
  }
}

function checkString(obj: Record<string, unknown>, field: string, max: number, file?: string, prefix = ''): void {
  const v = obj[field]
  if (v === undefined) throw fieldError(prefix + field, 'is missing', file)
  if (typeof v !== 'string') throw fieldError(prefix + field, 'is not a string', file)
  if (v.length > max) throw fieldError(prefix + field, `is longer than ${max} characters`, file)
}

function checkKms(value: unknown, mode: Mode, v: number, file: string | undefined): void {
  const direct = mode === 'direct'
  if (value === undefined) throw fieldError('kms', 'is missing', file)
  if (!isPlainObject(value)) throw fieldError('kms', 'is not an object', file)
  checkAllowed(value, mode === 'project' ? projectKmsFields : kmsFields, 'kms.', v, file)
  if (mode === 'project') {
    if (!(projectWraps as readonly unknown[]).includes(value.wrap))
      throw fieldError('kms.wrap', `is not one of ${projectWraps.join(', ')}`, file)
    if (typeof value.project !== 'string' || !fingerprintRE.test(value.project))
      throw fieldError('kms.project', 'is not a project key fingerprint (64 lowercase hex digits)', file)
  }
  if (value.provider !== 'tencent') throw fieldError('kms.provider', 'is not "tencent"', file)
  checkString(value, 'region', 64, file, 'kms.')
  checkString(value, 'keyId', 256, file, 'kms.')
  checkString(value, 'blob', maxBlobLength, file, 'kms.')
  const kms = value as unknown as EnvelopeKms
  if (kms.region === '') throw fieldError('kms.region', 'is empty', file)
  if (kms.blob === '') throw fieldError('kms.blob', 'is empty', file)
  if (kms.keyId === '' && !direct) throw fieldError('kms.keyId', 'is empty', file)
}

function checkContext(value: unknown, file: string | undefined): void {
  if (value === undefined) throw fieldError('context', 'is missing', file)
  if (!isPlainObject(value)) throw fieldError('context', 'is not an object', file)
  for (const key of Object.keys(value)) {
    if (typeof value[key] !== 'string') throw fieldError(`context.${key}`, 'is not a string', file)
  }
}

function checkBytes(obj: Record<string, unknown>, field: string, length: number | undefined, file?: string): void {
  checkString(obj, field, Number.MAX_SAFE_INTEGER, file)
  const size = strictBase64Length(obj[field] as string)
  if (size === undefined) throw fieldError(field, 'is not canonical base64', file)
  if (length !== undefined && size !== length) throw fieldError(field, `is not ${length} bytes long`, file)
}

function checkMode(obj: Record<string, unknown>, v: number, file: string | undefined): Mode {
  const mode = obj.mode
  if (mode === undefined) throw fieldError('mode', 'is missing', file)
  if (mode !== 'envelope' && mode !== 'direct' && mode !== 'project')
    throw fieldError('mode', 'is not one of "envelope", "direct", "project"', file)
  if (mode === 'project' && v < 2) throw fieldError('mode', '"project" needs format version 2', file)
  const sealed = v === 1 ? sealedFields : sealedFieldsV2
  const allowed = { envelope: sealed, direct: directFields, project: projectFields }[mode]
  checkAllowed(obj, allowed, '', v, file)
  return mode
}

function checkCommon(obj: Record<string, unknown>, v: number, file: string | undefined): Mode {
  const mode = checkMode(obj, v, file)
  const alg = algOfMode[mode]
  if (obj.alg === undefined) throw fieldError('alg', 'is missing', file)
  if (obj.alg !== alg) throw fieldError('alg', `is not "${alg}" (required for mode "${mode}")`, file)
  checkString(obj, 'id', maxIdLength, file)
  if (obj.id === '') throw fieldError('id', 'is empty', file)
  if (obj.format === undefined) throw fieldError('format', 'is missing', file)
  if (!formats.has(obj.format)) throw fieldError('format', 'is not one of json, yaml, env, text', file)
  checkKms(obj.kms, mode, v, file)
  checkContext(obj.context, file)
  if (obj.shape !== undefined && !isShape(obj.shape)) throw fieldError('shape', 'is not a valid shape', file)
  return mode
}

/**
 * Validates a parsed envelope object of the data-key modes "envelope" and "direct" (format version 1 or 2, see
 * FORMAT.md) and returns it typed. Mode "project" is refused (ERR_ENVELOPE_FIELD) so an opener that cannot unwrap a
 * project key fails closed with a clear message; use `validateAnyEnvelope` where it is supported.
 */
export function validateEnvelope(obj: unknown, file?: string): Envelope {
  const env = validateAnyEnvelope(obj, file)
  if (env.mode === 'project') {
    throw new KmsSecretsError(
      'ERR_ENVELOPE_FIELD',
      `Field "mode" of ${where(file)} is "project" (sealed with a project key), which this opener does not read.`,
      { hint: 'Upgrade @kms-secrets packages to a version that opens project-key envelopes.', file },
    )
  }
  return env
}

/**
 * Validates a parsed envelope object of any mode, "project" included (format version 1 or 2, see FORMAT.md).
 * Version is checked first (ERR_ENVELOPE_VERSION), then every field (ERR_ENVELOPE_FIELD); unknown fields are
 * rejected. Messages name the file and field, never a value.
 */
export function validateAnyEnvelope(obj: unknown, file?: string): AnyEnvelope {
  if (!isPlainObject(obj)) {
    throw new KmsSecretsError('ERR_ENVELOPE_PARSE', `${where(file)} is not a JSON object.`, {
      hint: 'A sealed envelope is the JSON object written by `kms-secrets encrypt`.',
      file,
    })
  }
  const v = checkVersion(obj, file)
  const mode = checkCommon(obj, v, file)
  if (mode === 'project') checkBytes(obj, 'enc', projectPublicKeyLength, file)
  if (mode !== 'direct') {
    if (v >= 2) {
      checkBytes(obj, 'salt', saltLength, file)
      checkBytes(obj, 'commit', commitLength, file)
    }
    checkBytes(obj, 'iv', 12, file)
    checkBytes(obj, 'data', undefined, file)
    checkBytes(obj, 'tag', 16, file)
  }
  return obj as unknown as AnyEnvelope
}
