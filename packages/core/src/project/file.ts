import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { encryptionContextFor } from '../envelope/aad.js'
import { KmsSecretsError } from '../errors.js'
import { fromBase64Strict } from '../util/base64.js'
import { canonicalJson, isPlainObject } from '../util/canonical-json.js'
import {
  keyUsageOfWrap,
  PROJECT_FILE_MARKER,
  PROJECT_FILE_VERSION,
  type ProjectKeyUsage,
  type ProjectWrap,
  projectFileName,
  projectFingerprintText,
  projectPublicKeyLength,
  projectSuite,
  projectWraps,
} from './constants.js'

/** kms-secrets.json (FORMAT.md §10.1): the project key. Holds nothing secret; committed next to the code. */
export interface ProjectKey {
  kmsSecretsProject: 1
  provider: 'tencent'
  region: string
  /** The CMK (resolved KeyId) that wraps the private key. */
  keyId: string
  keyUsage: ProjectKeyUsage
  /** HPKE suite ids (RFC 9180 §7): always { kem: 16, kdf: 1, aead: 65535 } in version 1. */
  suite: { kem: number; kdf: number; aead: number }
  /** base64 of the 65-byte uncompressed P-256 public key (HPKE SerializePublicKey). */
  publicKey: string
  wrappedKey: { alg: ProjectWrap; blob: string }
  /** User encryption context of every value sealed with this key. */
  context: Record<string, string>
}

const fields = [
  'kmsSecretsProject',
  'provider',
  'region',
  'keyId',
  'keyUsage',
  'suite',
  'publicKey',
  'wrappedKey',
  'context',
]

function fileError(file: string | undefined, problem: string): KmsSecretsError {
  return new KmsSecretsError('ERR_PROJECT_KEY', `The project key ${file ?? projectFileName} ${problem}.`, {
    hint: 'Restore kms-secrets.json from git, or create a new one with `kms-secrets init --key-id <CMK>`.',
    file,
  })
}

function checkString(obj: Record<string, unknown>, field: string, file: string | undefined, max = 64 * 1024): void {
  const v = obj[field]
  if (typeof v !== 'string' || v === '' || v.length > max) throw fileError(file, `has no valid "${field}"`)
}

/** Strict validation of a parsed kms-secrets.json: closed field set, every field checked. ERR_PROJECT_KEY. */
export function validateProjectKey(obj: unknown, file?: string): ProjectKey {
  if (!isPlainObject(obj)) throw fileError(file, 'is not a JSON object')
  const version = obj[PROJECT_FILE_MARKER]
  if (version !== PROJECT_FILE_VERSION) {
    throw new KmsSecretsError(
      'ERR_ENVELOPE_VERSION',
      `The project key ${file ?? projectFileName} has version ${String(version).slice(0, 16)}; this build reads 1.`,
      { hint: 'Upgrade @kms-secrets packages.', file },
    )
  }
  for (const key of Object.keys(obj)) if (!fields.includes(key)) throw fileError(file, 'has an unknown field')
  if (obj.provider !== 'tencent') throw fileError(file, 'has a provider other than "tencent"')
  checkString(obj, 'region', file, 64)
  checkString(obj, 'keyId', file, 256)
  const suite = obj.suite
  if (!isPlainObject(suite) || canonicalJson(suite) !== canonicalJson(projectSuite))
    throw fileError(file, 'has an HPKE suite other than { kem: 16, kdf: 1, aead: 65535 }')
  checkString(obj, 'publicKey', file, 128)
  const pk = fromBase64Strict(obj.publicKey as string)
  if (pk?.length !== projectPublicKeyLength || pk[0] !== 4) throw fileError(file, 'has no valid "publicKey"')
  const wrapped = obj.wrappedKey
  if (!isPlainObject(wrapped) || Object.keys(wrapped).sort().join() !== 'alg,blob')
    throw fileError(file, 'has no valid "wrappedKey"')
  if (!(projectWraps as readonly unknown[]).includes(wrapped.alg))
    throw fileError(file, 'has an unknown "wrappedKey.alg"')
  checkString(wrapped, 'blob', file)
  if (obj.keyUsage !== keyUsageOfWrap[wrapped.alg as ProjectWrap])
    throw fileError(file, 'has a "keyUsage" that does not match "wrappedKey.alg"')
  if (!isPlainObject(obj.context)) throw fileError(file, 'has no valid "context"')
  try {
    encryptionContextFor(obj.context as Record<string, string>)
  } catch {
    throw fileError(file, 'has an invalid "context"')
  }
  return obj as unknown as ProjectKey
}

/**
 * Fingerprint (FORMAT.md §10.2): lowercase hex SHA-256 of canonicalJson({ context, kmsSecretsProject, publicKey,
 * suite }). Names the key pair and its context, not its wrapping: re-wrapping under another CMK keeps it.
 */
export function projectKeyFingerprint(
  key: Pick<ProjectKey, 'context' | 'kmsSecretsProject' | 'publicKey' | 'suite'>,
): string {
  return createHash('sha256').update(projectFingerprintText(key), 'utf8').digest('hex')
}

/** Text of kms-secrets.json: fields in the order of FORMAT.md §10.1, 2-space JSON, trailing newline. */
export function encodeProjectKey(key: ProjectKey): string {
  const ordered: ProjectKey = {
    kmsSecretsProject: key.kmsSecretsProject,
    provider: key.provider,
    region: key.region,
    keyId: key.keyId,
    keyUsage: key.keyUsage,
    suite: { kem: key.suite.kem, kdf: key.suite.kdf, aead: key.suite.aead },
    publicKey: key.publicKey,
    wrappedKey: { alg: key.wrappedKey.alg, blob: key.wrappedKey.blob },
    context: { ...key.context },
  }
  return `${JSON.stringify(ordered, null, 2)}\n`
}

/** Parses and validates kms-secrets.json text. */
export function decodeProjectKey(text: string, file?: string): ProjectKey {
  let obj: unknown
  try {
    obj = JSON.parse(text)
  } catch {
    throw fileError(file, 'is not valid JSON')
  }
  return validateProjectKey(obj, file)
}

/** Reads and validates a kms-secrets.json file. */
export function readProjectKey(path: string): ProjectKey {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    throw new KmsSecretsError('ERR_PROJECT_KEY', `Cannot read the project key ${path}.`, {
      hint: 'Check the path and permissions, or create it with `kms-secrets init --key-id <CMK>`.',
      file: path,
    })
  }
  return decodeProjectKey(text, path)
}

/**
 * The nearest kms-secrets.json walking up from `fromDir` (that directory first), as SOPS finds .sops.yaml; stops at
 * the filesystem root or at `stopAt` (inclusive). Returns its path and content, or undefined when none is in reach.
 */
export function findProjectKey(fromDir: string, stopAt?: string): { path: string; key: ProjectKey } | undefined {
  let dir = resolve(fromDir)
  const stop = stopAt === undefined ? undefined : resolve(stopAt)
  for (;;) {
    const path = join(dir, projectFileName)
    if (existsSync(path) && statSync(path).isFile()) return { path, key: readProjectKey(path) }
    const parent = dirname(dir)
    if (parent === dir || dir === stop) return undefined
    dir = parent
  }
}
