import { fingerprintRE, PROJECT_ALG, projectPublicKeyLength } from '../project/constants.js'
import { strictBase64Length } from '../util/base64.js'
import { isPlainObject } from '../util/canonical-json.js'
import { isShape } from './shape-check.js'
import { ENVELOPE_ALG } from './types.js'

/** The base64 fields of a sealed envelope (mode "envelope" or "project"), decoded. */
export interface OpenFields {
  iv: Uint8Array
  data: Uint8Array
  tag: Uint8Array
  /** v2 and mode "project". */
  salt?: Uint8Array
  commit?: Uint8Array
  /** Mode "project": HPKE `enc`. */
  enc?: Uint8Array
}

/** Node's and Bun's Buffer decodes base64 natively; elsewhere atob. */
const NodeBuffer = (globalThis as { Buffer?: { from(text: string, encoding: 'base64'): Uint8Array } }).Buffer

/** The bytes of a base64 text already known canonical (validation's `strictBase64Length` accepted it). */
export function canonicalBase64Bytes(text: string): Uint8Array {
  if (NodeBuffer !== undefined) return NodeBuffer.from(text, 'base64')
  const bin = atob(text)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/** Canonical base64 of `length` bytes (any length when -1), decoded; else undefined — validation's own predicate. */
function canonicalBytes(text: unknown, length: number): Uint8Array | undefined {
  const n = typeof text === 'string' ? strictBase64Length(text) : undefined
  if (n === undefined || (length !== -1 && n !== length)) return undefined
  return canonicalBase64Bytes(text as string)
}

/** Field bits: which fields were seen (each at most once: object keys are unique). */
const F = {
  marker: 1,
  mode: 2,
  alg: 4,
  kms: 8,
  id: 16,
  format: 32,
  context: 64,
  iv: 128,
  data: 256,
  tag: 512,
  salt: 1024,
  commit: 2048,
  enc: 4096,
} as const
const base = F.marker | F.mode | F.alg | F.kms | F.id | F.format | F.context | F.iv | F.data | F.tag
const committed = base | F.salt | F.commit

const isText = (v: unknown, max: number): boolean => typeof v === 'string' && v.length <= max && v !== ''

/** `kms` of mode "envelope" (provider, region, keyId, blob) or "project" (+ wrap, project): `validateAnyEnvelope`'s checks. */
function kmsPasses(kms: unknown, project: boolean): boolean {
  if (!isPlainObject(kms)) return false
  let seen = 0
  for (const key of Object.keys(kms)) {
    const v = kms[key]
    switch (key) {
      case 'provider':
        if (v !== 'tencent') return false
        seen |= 1
        break
      case 'region':
        if (!isText(v, 64)) return false
        seen |= 2
        break
      case 'keyId':
        if (!isText(v, 256)) return false
        seen |= 4
        break
      case 'blob':
        if (!isText(v, 64 * 1024)) return false
        seen |= 8
        break
      case 'wrap':
        if (!project || !(v === 'KMS' || v === 'RSAES_OAEP_SHA_256' || v === 'SM2')) return false
        seen |= 16
        break
      case 'project':
        if (!project || typeof v !== 'string' || !fingerprintRE.test(v)) return false
        seen |= 32
        break
      default:
        return false
    }
  }
  return seen === (project ? 63 : 15)
}

function contextPasses(context: unknown): boolean {
  if (!isPlainObject(context)) return false
  // for-in also reads inherited enumerable keys: at most stricter than Object.values (the slow path decides then).
  for (const key in context) if (typeof context[key] !== 'string') return false
  return true
}

/**
 * The open path's envelope check: for a well-formed envelope of mode "envelope" (v1, v2) or "project", exactly what
 * `validateAnyEnvelope` checks — every field own, known for the mode and version, present when required, of the
 * right type, length and canonical base64 (the same `strictBase64Length`) — with the base64 fields decoded once on the way (`runOpen`'s
 * `fields`), no closure, plan lookup or second pass per field. Returns undefined for anything else (mode "direct",
 * any doubt, any failure): the caller then runs `validateAnyEnvelope`, which throws the
 * typed error (or accepts the rare shapes this path leaves to it, such as an own `shape: undefined`). It never
 * accepts what `validateAnyEnvelope` refuses: held by a fast-check property in test/open-fields.test.ts.
 */
export function openFieldsOf(obj: unknown): OpenFields | undefined {
  if (!isPlainObject(obj)) return undefined
  const v = obj.kmsSecrets
  const mode = obj.mode
  const project = mode === 'project'
  if (!(v === 2 || (v === 1 && mode === 'envelope')) || !(mode === 'envelope' || project)) return undefined
  const alg = project ? PROJECT_ALG : ENVELOPE_ALG
  const want = project ? committed | F.enc : v === 2 ? committed : base
  let seen = 0
  let iv: Uint8Array | undefined
  let data: Uint8Array | undefined
  let tag: Uint8Array | undefined
  let salt: Uint8Array | undefined
  let commit: Uint8Array | undefined
  let enc: Uint8Array | undefined
  for (const key of Object.keys(obj)) {
    const value = obj[key]
    switch (key) {
      case 'kmsSecrets':
        seen |= F.marker
        break
      case 'mode':
        seen |= F.mode
        break
      case 'alg':
        if (value !== alg) return undefined
        seen |= F.alg
        break
      case 'kms':
        if (!kmsPasses(value, project)) return undefined
        seen |= F.kms
        break
      case 'id':
        if (!isText(value, 1024)) return undefined
        seen |= F.id
        break
      case 'format':
        if (value !== 'json' && value !== 'yaml' && value !== 'env' && value !== 'text') return undefined
        seen |= F.format
        break
      case 'context':
        if (!contextPasses(value)) return undefined
        seen |= F.context
        break
      case 'shape':
        // Optional: an own `shape: undefined` is left to the slow path (it passes there).
        if (value === undefined || !isShape(value)) return undefined
        break
      case 'iv':
        iv = canonicalBytes(value, 12)
        if (iv === undefined) return undefined
        seen |= F.iv
        break
      case 'data':
        data = canonicalBytes(value, -1)
        if (data === undefined) return undefined
        seen |= F.data
        break
      case 'tag':
        tag = canonicalBytes(value, 16)
        if (tag === undefined) return undefined
        seen |= F.tag
        break
      case 'salt':
        salt = canonicalBytes(value, 32)
        if (salt === undefined) return undefined
        seen |= F.salt
        break
      case 'commit':
        commit = canonicalBytes(value, 32)
        if (commit === undefined) return undefined
        seen |= F.commit
        break
      case 'enc':
        enc = canonicalBytes(value, projectPublicKeyLength)
        if (enc === undefined) return undefined
        seen |= F.enc
        break
      default:
        return undefined
    }
  }
  if (seen !== want) return undefined
  return { iv: iv!, data: data!, tag: tag!, salt, commit, enc }
}
