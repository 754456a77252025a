import { chmod, mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { Identity } from '../auth/identity.js'
import type { KeyRecord } from '../keys/key-record.js'
import { LocalKmsError } from '../server/local-kms-error.js'
import { tempPrefix, writeFileAtomic } from './atomic-write.js'
import { decodeCheckedJson, encodeCheckedJson } from './checked-json.js'
import { lockFileName } from './data-dir-lock.js'
import { decodeIdentitiesFile, identitiesFileName } from './identities-file.js'
import { decodeKeyFile } from './key-file.js'

/**
 * Data-dir layout (dir 0700, files 0600):
 *   local-kms.json        marker {format: local-kms/data-dir@1}
 *   identities.json       identities (seeded + generated admin)
 *   admin-identity.json   credentials of the generated admin identity (only when no identity was configured)
 *   keys/<KeyId>.json     one file per key: metadata + every key version's material
 *   audit.log             JSON lines, one per API call
 *   local-kms.lock        pid of the running server
 */
/** The marker file naming a local-kms data dir; tools that must keep out of one (dev servers) look for it. */
export const markerFileName = 'local-kms.json'
export const adminIdentityFileName = 'admin-identity.json'
export const auditLogFileName = 'audit.log'
export const keysDirName = 'keys'
/** The `format` field of the marker file (a checked-json envelope, see checked-json.ts). */
export const markerFormat = 'local-kms/data-dir@1'
const knownTopLevel = new Set([
  markerFileName,
  identitiesFileName,
  adminIdentityFileName,
  auditLogFileName,
  keysDirName,
  lockFileName,
])

export interface LoadedDataDir {
  keys: KeyRecord[]
  identities: Identity[]
}

function corrupt(dir: string, file: string, problem: string): LocalKmsError {
  return new LocalKmsError(
    'ERR_LOCAL_KMS_DATA_DIR',
    `local-kms data dir ${dir}: ${file} ${problem}.`,
    'Restore it from a backup, remove it if it is not meant to be there, or start with an empty --data-dir.',
  )
}

/** Creates or checks the data dir and loads it. A damaged or foreign entry is an error, never an empty store. */
export async function loadDataDir(dir: string, extraAllowed: string[] = []): Promise<LoadedDataDir> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const entries = await readdir(dir)
  for (const name of entries) {
    if (name.startsWith(tempPrefix)) await rm(join(dir, name), { force: true })
    else if (!knownTopLevel.has(name) && !name.startsWith('.') && !extraAllowed.includes(name)) {
      throw corrupt(dir, name, 'is not a local-kms file')
    }
  }
  await chmod(dir, 0o700)
  if (!entries.includes(markerFileName)) {
    if (entries.includes(keysDirName) || entries.includes(identitiesFileName)) {
      throw corrupt(dir, markerFileName, 'is missing while keys or identities exist')
    }
    await writeFileAtomic(dir, markerFileName, encodeCheckedJson(markerFormat, { version: 1 }))
  }
  const marker = decodeCheckedJson(await readFile(join(dir, markerFileName), 'utf8'), markerFormat)
  if ('problem' in marker) throw corrupt(dir, markerFileName, marker.problem)
  await mkdir(join(dir, keysDirName), { mode: 0o700 }).catch(ignoreExists)
  return { keys: await loadKeys(dir), identities: await loadIdentities(dir) }
}

function ignoreExists(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EEXIST') throw error
}

async function loadKeys(dir: string): Promise<KeyRecord[]> {
  const keysDir = join(dir, keysDirName)
  const keys: KeyRecord[] = []
  const aliases = new Set<string>()
  const names = await readdir(keysDir).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'ENOTDIR' ? corrupt(dir, keysDirName, 'is not a directory') : error
  })
  for (const name of names.sort()) {
    if (name.startsWith(tempPrefix)) {
      await rm(join(keysDir, name), { force: true })
      continue
    }
    if (name.startsWith('.')) continue
    const file = `${keysDirName}/${name}`
    if (!name.endsWith('.json')) throw corrupt(dir, file, 'is not a local-kms key file')
    const key = decodeKeyFile(await readFile(join(keysDir, name), 'utf8'))
    if (typeof key === 'string') throw corrupt(dir, file, key)
    if (`${key.keyId}.json` !== basename(name))
      throw corrupt(dir, file, 'holds a key whose KeyId differs from its name')
    if (aliases.has(key.alias)) throw corrupt(dir, file, 'repeats an alias used by another key')
    aliases.add(key.alias)
    keys.push(key)
  }
  return keys.sort((a, b) => a.seq - b.seq || a.keyId.localeCompare(b.keyId))
}

async function loadIdentities(dir: string): Promise<Identity[]> {
  const text = await readFile(join(dir, identitiesFileName), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw error
  })
  if (text === undefined) return []
  const identities = decodeIdentitiesFile(text)
  if (typeof identities === 'string') throw corrupt(dir, identitiesFileName, identities)
  return identities
}
