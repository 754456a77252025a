import { open, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { LocalKmsError } from '../server/local-kms-error.js'

export const lockFileName = 'local-kms.lock'
const heldInProcess = new Set<string>()

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function lockedError(dir: string, pid: number | string): LocalKmsError {
  return new LocalKmsError(
    'ERR_LOCAL_KMS_LOCKED',
    `The data dir ${dir} is in use by another local-kms (pid ${pid}).`,
    'Stop that server or start this one with another --data-dir.',
  )
}

/**
 * One server per data dir: `local-kms.lock` holds the owner's pid. A lock left by a killed process (pid gone) is taken
 * over, so kill -9 never blocks the next start.
 */
export async function acquireDataDirLock(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, lockFileName)
  if (heldInProcess.has(dir)) throw lockedError(dir, process.pid)
  const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10)
  if (Number.isSafeInteger(owner) && owner !== process.pid && isAlive(owner)) throw lockedError(dir, owner)
  await rm(path, { force: true })
  const fh = await open(path, 'wx', 0o600).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EEXIST' ? lockedError(dir, 'unknown') : error
  })
  try {
    await fh.writeFile(`${process.pid}\n`)
  } finally {
    await fh.close()
  }
  heldInProcess.add(dir)
  return async () => {
    heldInProcess.delete(dir)
    await rm(path, { force: true })
  }
}
