import { checkKeyPair, isAsymmetricUsage } from '../keys/key-pair.js'
import type { KeyRecord } from '../keys/key-record.js'
import { decodeCheckedJson, encodeCheckedJson, isRecord } from './checked-json.js'

/**
 * One format for every key: an asymmetric key adds `keyPair` and has no `versions`, so files written before
 * asymmetric keys existed read unchanged (and an older local-kms refuses an asymmetric file by its keyUsage).
 */
export const keyFileFormat = 'local-kms/key@1'
export const keyIdRE = /^[A-Za-z0-9_-]{1,128}$/
export const aliasRE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$/
const keyStates = new Set(['Enabled', 'Disabled', 'PendingDelete'])
const base64Key32RE = /^[A-Za-z0-9+/]{43}=$/

export function keyFileName(keyId: string): string {
  return `${keyId}.json`
}

export function encodeKeyFile(key: KeyRecord): string {
  return encodeCheckedJson(keyFileFormat, key)
}

/** Parses a key file; returns a problem description instead of throwing so the caller can name the file. */
export function decodeKeyFile(text: string): KeyRecord | string {
  const decoded = decodeCheckedJson(text, keyFileFormat)
  if ('problem' in decoded) return decoded.problem
  const key = decoded.data
  if (!isRecord(key)) return 'has no key record'
  const problem = checkKeyFields(key)
  return problem ?? (key as unknown as KeyRecord)
}

function isUnixTime(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0
}

function checkKeyFields(key: Record<string, unknown>): string | undefined {
  if (typeof key.keyId !== 'string' || !keyIdRE.test(key.keyId)) return 'has an invalid keyId'
  if (!Number.isSafeInteger(key.seq) || (key.seq as number) < 1) return 'has an invalid seq'
  if (typeof key.alias !== 'string' || !aliasRE.test(key.alias)) return 'has an invalid alias'
  if (typeof key.description !== 'string') return 'has an invalid description'
  if (!keyStates.has(key.keyState as string)) return 'has an invalid keyState'
  if (!isUnixTime(key.createTime) || !isUnixTime(key.deletionDate)) return 'has invalid times'
  const r = key.rotation
  if (!isRecord(r) || typeof r.enabled !== 'boolean' || !Number.isSafeInteger(r.rotateDays)) {
    return 'has an invalid rotation'
  }
  if (!isUnixTime(r.nextRotateTime) || !isUnixTime(r.lastRotateTime)) return 'has an invalid rotation'
  return checkMaterial(key)
}

function checkMaterial(key: Record<string, unknown>): string | undefined {
  const usage = key.keyUsage
  if (usage === 'ENCRYPT_DECRYPT')
    return key.keyPair === undefined ? checkVersions(key.versions) : 'has a stray keyPair'
  if (typeof usage !== 'string' || !isAsymmetricUsage(usage)) return 'has an unsupported keyUsage'
  if (!Array.isArray(key.versions) || key.versions.length !== 0) return 'has key versions on an asymmetric key'
  if ((key.rotation as { enabled: boolean }).enabled) return 'has rotation on an asymmetric key'
  return isRecord(key.keyPair) ? checkKeyPair(usage, key.keyPair) : 'has no key pair'
}

function checkVersions(versions: unknown): string | undefined {
  if (!Array.isArray(versions) || versions.length === 0) return 'has no key versions'
  for (const [i, v] of versions.entries()) {
    if (!isRecord(v) || v.version !== i + 1 || !isUnixTime(v.createTime)) return 'has an invalid key version'
    if (typeof v.material !== 'string' || !base64Key32RE.test(v.material)) return 'has invalid key material'
  }
  return undefined
}
