import { join } from 'node:path'
import { ApiError } from '../server/api-error.js'
import { removeFileDurably, writeFileAtomic } from '../storage/atomic-write.js'
import { keysDirName } from '../storage/data-dir.js'
import { encodeKeyFile, keyFileName } from '../storage/key-file.js'
import { isDeletionDue, isRotationDue, type KeyRecord, rotateKeyRecord } from './key-record.js'

const aliasPrefix = 'alias/'

/**
 * Keys in memory, persisted one file per key. Every mutation runs on one queue and is acknowledged only after the
 * atomic write (temp + fsync + rename + dir fsync) returned, so a kill -9 never loses an acknowledged change.
 */
export class KeyStore {
  private readonly byId = new Map<string, KeyRecord>()
  private readonly byAlias = new Map<string, string>()
  private readonly keysDir: string
  private queue: Promise<unknown> = Promise.resolve()
  private lastSeq = 0

  constructor(dataDir: string, keys: KeyRecord[]) {
    this.keysDir = join(dataDir, keysDirName)
    for (const key of keys) {
      this.index(key)
      this.lastSeq = Math.max(this.lastSeq, key.seq)
    }
  }

  /** A KeyId, `alias/<name>` or a bare alias → the key, without maintenance. */
  find(ref: string): KeyRecord | undefined {
    const byId = this.byId.get(ref)
    if (byId) return byId
    const alias = ref.startsWith(aliasPrefix) ? ref.slice(aliasPrefix.length) : ref
    const id = this.byAlias.get(alias)
    return id === undefined ? undefined : this.byId.get(id)
  }

  findByAlias(alias: string): KeyRecord | undefined {
    const id = this.byAlias.get(alias)
    return id === undefined ? undefined : this.byId.get(id)
  }

  get(keyId: string): KeyRecord | undefined {
    return this.byId.get(keyId)
  }

  /** Every key in creation order. */
  list(): KeyRecord[] {
    return [...this.byId.values()]
  }

  get size(): number {
    return this.byId.size
  }

  /** Runs `fn` after every earlier mutation settled; mutations never interleave. */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(fn, fn)
    this.queue = run.catch(() => undefined)
    return run
  }

  /** Applies due automatic rotation / scheduled deletion to one key, then returns its current record. */
  async refresh(key: KeyRecord, now: number): Promise<KeyRecord | undefined> {
    if (!isRotationDue(key, now) && !isDeletionDue(key, now)) return key
    return this.exclusive(async () => {
      const current = this.byId.get(key.keyId)
      if (!current) return undefined
      if (isDeletionDue(current, now)) {
        await this.remove(current.keyId)
        return undefined
      }
      return isRotationDue(current, now) ? this.save(rotateKeyRecord(current, now)) : current
    })
  }

  /**
   * Read-modify-write of one key under the queue. `fn` may throw an ApiError; returning the same object skips the write.
   */
  update(keyId: string, fn: (current: KeyRecord) => KeyRecord): Promise<KeyRecord> {
    return this.exclusive(async () => {
      const current = this.byId.get(keyId)
      if (!current) throw new ApiError('ResourceUnavailable.CmkNotFound', 'The key does not exist.')
      const next = fn(current)
      return next === current ? current : this.save(next)
    })
  }

  /**
   * Persists then indexes a key (a new key gets the next creation sequence number). Call inside `exclusive`.
   * Alias uniqueness is the caller's check.
   */
  async save(record: KeyRecord): Promise<KeyRecord> {
    const key = this.byId.has(record.keyId) ? record : { ...record, seq: this.lastSeq + 1 }
    await writeFileAtomic(this.keysDir, keyFileName(key.keyId), encodeKeyFile(key))
    const previous = this.byId.get(key.keyId)
    if (previous && previous.alias !== key.alias) this.byAlias.delete(previous.alias)
    this.index(key)
    this.lastSeq = Math.max(this.lastSeq, key.seq)
    return key
  }

  async remove(keyId: string): Promise<void> {
    const key = this.byId.get(keyId)
    await removeFileDurably(this.keysDir, keyFileName(keyId))
    if (!key) return
    this.byId.delete(keyId)
    this.byAlias.delete(key.alias)
  }

  private index(key: KeyRecord): void {
    this.byId.set(key.keyId, key)
    this.byAlias.set(key.alias, key.keyId)
  }
}
