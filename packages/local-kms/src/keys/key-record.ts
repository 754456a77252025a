import { randomBytes, randomUUID } from 'node:crypto'
import { type AsymmetricKeyUsage, createKeyPair, isAsymmetricUsage, type KeyPair } from './key-pair.js'

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDelete'

/** The CreateKey KeyUsage values local-kms implements (reference §7). */
export type KeyUsage = 'ENCRYPT_DECRYPT' | AsymmetricKeyUsage

/** One generation of key material: 32 random bytes for AES-256-GCM, base64 at rest. */
export interface KeyVersion {
  version: number
  createTime: number
  material: string
}

export interface KeyRotation {
  enabled: boolean
  rotateDays: number
  /** Unix seconds; 0 when rotation is off. */
  nextRotateTime: number
  lastRotateTime: number
}

/** A customer master key. Times are Unix seconds, as Tencent reports them. */
export interface KeyRecord {
  keyId: string
  /** Creation sequence number in this data dir: ListKeys order, stable across restarts. */
  seq: number
  alias: string
  description: string
  createTime: number
  keyState: KeyState
  keyUsage: KeyUsage
  /** Unix seconds when a PendingDelete key goes away; 0 otherwise. */
  deletionDate: number
  rotation: KeyRotation
  /** AES-256 versions of an ENCRYPT_DECRYPT key; empty for an asymmetric key. */
  versions: KeyVersion[]
  /** Only on asymmetric keys: the one key pair (asymmetric keys do not rotate). */
  keyPair?: KeyPair
}

export const defaultRotateDays = 365
const daySeconds = 86_400

export function newKeyId(): string {
  return randomUUID()
}

export interface NewKey {
  keyId?: string
  alias: string
  description?: string
  keyUsage?: KeyUsage
  now: number
}

export function createKeyRecord(opts: NewKey): KeyRecord {
  const usage = opts.keyUsage ?? 'ENCRYPT_DECRYPT'
  const material = isAsymmetricUsage(usage)
    ? { versions: [], keyPair: createKeyPair(usage) }
    : { versions: [newVersion(1, opts.now)] }
  return {
    keyId: opts.keyId ?? newKeyId(),
    seq: 0,
    alias: opts.alias,
    description: opts.description ?? '',
    createTime: opts.now,
    keyState: 'Enabled',
    keyUsage: usage,
    deletionDate: 0,
    rotation: { enabled: false, rotateDays: defaultRotateDays, nextRotateTime: 0, lastRotateTime: 0 },
    ...material,
  }
}

function newVersion(version: number, now: number): KeyVersion {
  return { version, createTime: now, material: randomBytes(32).toString('base64') }
}

export function currentVersion(key: KeyRecord): KeyVersion {
  return key.versions[key.versions.length - 1]!
}

export function findVersion(key: KeyRecord, version: number): KeyVersion | undefined {
  return key.versions.find((v) => v.version === version)
}

/** A new current version; older versions stay so existing ciphertext still decrypts. */
export function rotateKeyRecord(key: KeyRecord, now: number): KeyRecord {
  const next = newVersion(currentVersion(key).version + 1, now)
  const rotation = { ...key.rotation, lastRotateTime: now }
  if (rotation.enabled) rotation.nextRotateTime = now + rotation.rotateDays * daySeconds
  return { ...key, versions: [...key.versions, next], rotation }
}

export function setRotation(key: KeyRecord, enabled: boolean, rotateDays: number, now: number): KeyRecord {
  const nextRotateTime = enabled ? now + rotateDays * daySeconds : 0
  return { ...key, rotation: { ...key.rotation, enabled, rotateDays, nextRotateTime } }
}

/** Automatic rotation is due (checked lazily whenever the key is used). */
export function isRotationDue(key: KeyRecord, now: number): boolean {
  return key.rotation.enabled && key.keyState === 'Enabled' && key.rotation.nextRotateTime <= now
}

export function isDeletionDue(key: KeyRecord, now: number): boolean {
  return key.keyState === 'PendingDelete' && key.deletionDate <= now
}

export function scheduleDeletion(key: KeyRecord, days: number, now: number): KeyRecord {
  return { ...key, keyState: 'PendingDelete', deletionDate: now + days * daySeconds }
}
