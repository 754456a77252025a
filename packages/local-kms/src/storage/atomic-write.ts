import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'

/** Temp files start with this; a crash can leave them behind and startup deletes them (they were never acked). */
export const tempPrefix = '.tmp-'

/**
 * Writes `dir/name` so that a kill -9 at any moment leaves either the old or the new content: temp file (0600,
 * exclusive create) + fsync, rename over the target, then fsync the directory so the rename itself is durable.
 */
export async function writeFileAtomic(dir: string, name: string, content: string): Promise<void> {
  const tmp = join(dir, `${tempPrefix}${name}-${process.pid}-${randomBytes(6).toString('hex')}`)
  const fh = await open(tmp, 'wx', 0o600)
  try {
    await fh.writeFile(content, 'utf8')
    await fh.sync()
  } finally {
    await fh.close()
  }
  try {
    await rename(tmp, join(dir, name))
  } catch (error) {
    await rm(tmp, { force: true })
    throw error
  }
  await fsyncDir(dir)
}

/** Removes `dir/name` durably (unlink + directory fsync). */
export async function removeFileDurably(dir: string, name: string): Promise<void> {
  await rm(join(dir, name), { force: true })
  await fsyncDir(dir)
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}
