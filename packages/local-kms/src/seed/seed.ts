import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { actionNames } from '../actions/index.js'
import { isAsymmetricUsage } from '../keys/key-pair.js'
import type { KeyUsage } from '../keys/key-record.js'
import { LocalKmsError } from '../server/local-kms-error.js'
import { isRecord } from '../storage/checked-json.js'
import { aliasRE, keyIdRE } from '../storage/key-file.js'

/** An identity in a seed file. `allow` and `keys` default to `["*"]`. */
export interface SeedIdentity {
  secretId: string
  secretKey: string
  allow?: string[]
  keys?: string[]
  token?: string
}

/** A key in a seed file; with `keyId` the key keeps that id (and its material) across restarts. */
export interface SeedKey {
  keyId?: string
  alias: string
  description?: string
  /** Default `ENCRYPT_DECRYPT`; an existing key never changes its usage. */
  keyUsage?: KeyUsage
}

/** `{"identities":[…],"keys":[…]}` — applied idempotently on every start. */
export interface Seed {
  identities?: SeedIdentity[]
  keys?: SeedKey[]
}

export const secretIdRE = /^[A-Za-z0-9._-]{1,128}$/
const keyEntryRE = /^(?:\*|(?:alias\/)?[A-Za-z0-9_-]{1,128})$/

function bad(source: string, what: string): LocalKmsError {
  return new LocalKmsError(
    'ERR_LOCAL_KMS_SEED',
    `Seed ${source}: ${what}.`,
    'Seed format: {"identities":[{"secretId","secretKey","allow":["*"],"keys":["*"]}],"keys":[{"keyId"?,"alias","description"?,"keyUsage"?}]}',
  )
}

function stringList(value: unknown, ok: (s: string) => boolean): string[] | undefined {
  if (value === undefined) return ['*']
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && ok(v))) return undefined
  return value as string[]
}

function checkIdentity(
  value: unknown,
  at: string,
  source: string,
): Required<Omit<SeedIdentity, 'token'>> & SeedIdentity {
  if (!isRecord(value)) throw bad(source, `${at} must be an object`)
  const { secretId, secretKey, token } = value
  if (typeof secretId !== 'string' || !secretIdRE.test(secretId)) throw bad(source, `${at}.secretId is not valid`)
  if (typeof secretKey !== 'string' || secretKey.length === 0 || secretKey.length > 256) {
    throw bad(source, `${at}.secretKey must be a non-empty string`)
  }
  if (token !== undefined && (typeof token !== 'string' || token === ''))
    throw bad(source, `${at}.token must be a string`)
  const allow = stringList(value.allow, (a) => a === '*' || actionNames.includes(a))
  if (!allow) throw bad(source, `${at}.allow must list "*" or action names (${actionNames.join(', ')})`)
  const keys = stringList(value.keys, (k) => keyEntryRE.test(k))
  if (!keys) throw bad(source, `${at}.keys must list "*", KeyIds or aliases`)
  return { secretId, secretKey, allow, keys, ...(token === undefined ? {} : { token }) }
}

function checkKey(value: unknown, at: string, source: string): SeedKey {
  if (!isRecord(value)) throw bad(source, `${at} must be an object`)
  const { keyId, alias, description, keyUsage } = value
  if (keyId !== undefined && (typeof keyId !== 'string' || !keyIdRE.test(keyId))) {
    throw bad(source, `${at}.keyId must be 1-128 letters, digits, "-" or "_"`)
  }
  if (typeof alias !== 'string' || !aliasRE.test(alias)) throw bad(source, `${at}.alias is not a valid alias`)
  if (description !== undefined && (typeof description !== 'string' || Buffer.byteLength(description) > 1024)) {
    throw bad(source, `${at}.description must be a string of at most 1024 bytes`)
  }
  if (keyUsage !== undefined && keyUsage !== 'ENCRYPT_DECRYPT' && !isAsymmetricUsage(keyUsage as string)) {
    throw bad(source, `${at}.keyUsage must be ENCRYPT_DECRYPT, ASYMMETRIC_DECRYPT_RSA_2048 or ASYMMETRIC_DECRYPT_SM2`)
  }
  return {
    alias,
    ...(keyId === undefined ? {} : { keyId }),
    ...(description === undefined ? {} : { description }),
    ...(keyUsage === undefined ? {} : { keyUsage: keyUsage as KeyUsage }),
  }
}

/** Validates a seed object; messages name the entry, never a secret. */
export function validateSeed(value: unknown, source = '(object)'): Required<Seed> {
  if (!isRecord(value)) throw bad(source, 'must be a JSON object')
  for (const name of Object.keys(value)) {
    if (name !== 'identities' && name !== 'keys') throw bad(source, 'only "identities" and "keys" are allowed')
  }
  const identities = value.identities ?? []
  const keys = value.keys ?? []
  if (!Array.isArray(identities)) throw bad(source, 'identities must be an array')
  if (!Array.isArray(keys)) throw bad(source, 'keys must be an array')
  return {
    identities: identities.map((v, i) => checkIdentity(v, `identities[${i}]`, source)),
    keys: keys.map((v, i) => checkKey(v, `keys[${i}]`, source)),
  }
}

/** Reads (when a path) and validates the seed. */
export async function loadSeed(seed: Seed | string | undefined): Promise<{ seed: Required<Seed>; path?: string }> {
  if (seed === undefined) return { seed: { identities: [], keys: [] } }
  if (typeof seed !== 'string') return { seed: validateSeed(seed) }
  const path = resolve(seed)
  const text = await readFile(path, 'utf8').catch(() => {
    throw bad(path, 'cannot be read')
  })
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw bad(path, 'is not valid JSON')
  }
  return { seed: validateSeed(parsed, path), path }
}
