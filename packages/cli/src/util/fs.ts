import { randomBytes } from 'node:crypto'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import process from 'node:process'
import { ioError } from './errors.js'

/** Reads a UTF-8 file; fs failures become ERR_CLI_IO naming the path. */
export async function readText(file: string): Promise<string> {
  try {
    return await fsp.readFile(file, 'utf8')
  } catch (e) {
    throw ioError('read', file, e)
  }
}

/** Reads all of stdin as UTF-8. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

async function modeOf(file: string): Promise<number | undefined> {
  try {
    return (await fsp.stat(file)).mode & 0o777
  } catch {
    return undefined
  }
}

/**
 * Replaces `file` atomically: writes a sibling temp file, fsyncs it and renames it over the target, so a crash or a
 * failure leaves either the old or the new content. Keeps the target's permission bits (default `mode`).
 */
export async function writeAtomic(file: string, text: string, mode = 0o644): Promise<void> {
  const target = path.resolve(file)
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`)
  const finalMode = (await modeOf(target)) ?? mode
  try {
    const handle = await fsp.open(tmp, 'wx', finalMode)
    try {
      await handle.writeFile(text, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    await fsp.rename(tmp, target)
  } catch (e) {
    await fsp.rm(tmp, { force: true })
    throw ioError('write', file, e)
  }
}

/** Writes a new file readable by its owner only (0600): for plaintext the user asked to put on disk. */
export async function writePrivate(file: string, text: string): Promise<void> {
  let opened = false
  try {
    const handle = await fsp.open(file, 'w', 0o600)
    opened = true
    try {
      // An existing file keeps its mode on open: tighten it before any plaintext is written.
      await handle.chmod(0o600)
      await handle.writeFile(text, 'utf8')
    } finally {
      await handle.close()
    }
  } catch (e) {
    // A failed write (ENOSPC, EIO) must not leave part of the plaintext behind; 'w' truncated the file anyway.
    if (opened) await fsp.rm(file, { force: true }).catch(() => undefined)
    throw ioError('write', file, e)
  }
}

/** Writes text to stdout and waits until it is flushed. */
export function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (e) => (e ? reject(e) : resolve()))
  })
}
