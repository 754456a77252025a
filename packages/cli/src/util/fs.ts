import { randomBytes } from 'node:crypto'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { KmsSecretsError } from '@kms-secrets/core/errors'
import { ioError } from './errors.js'
import { io } from './io.js'

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
  for await (const chunk of io().stdin) chunks.push(Buffer.from(chunk as Buffer))
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

async function lstatOrUndefined(file: string) {
  try {
    return await fsp.lstat(file)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw ioError('inspect', file, e)
  }
}

/**
 * Precondition: a plaintext output path (`-o`) is a new file or a plain regular file of its own: not a symbolic
 * link, not hard-linked, and not any input under another name (same device + inode, through links or `..`).
 * Checked before any KMS call. The write itself (writePrivate) renames a fresh file into place, so it never writes
 * through a link even if the path changes after this check.
 */
export async function assertSafeOutput(output: string, inputs: readonly string[]): Promise<void> {
  const refuse = (why: string) =>
    new KmsSecretsError('ERR_CLI_UNSAFE', `Refusing to write plaintext to ${output}: it ${why}.`, {
      hint: 'Write the plaintext to a new path of its own (or remove the existing one first).',
      file: output,
    })
  const own = await lstatOrUndefined(output)
  if (own === undefined) return
  const target = own.isSymbolicLink() ? await fsp.stat(output).catch(() => undefined) : own
  for (const input of inputs) {
    const st = await fsp.stat(input).catch(() => undefined)
    if (st && target && st.dev === target.dev && st.ino === target.ino) throw refuse(`is the input file ${input}`)
  }
  if (own.isSymbolicLink()) throw refuse('is a symbolic link')
  if (!own.isFile()) throw refuse('is not a regular file')
  if (own.nlink > 1) throw refuse(`has ${own.nlink - 1} other hard link(s)`)
}

/**
 * Writes plaintext the user asked to put on disk, readable by its owner only (0600): into a fresh sibling file
 * (O_CREAT|O_EXCL, so never through an existing link), then renamed over `file`. A failure removes the partial file.
 */
export async function writePrivate(file: string, text: string): Promise<void> {
  const target = path.resolve(file)
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    const handle = await fsp.open(tmp, 'wx', 0o600)
    try {
      await handle.writeFile(text, 'utf8')
    } finally {
      await handle.close()
    }
    await fsp.rename(tmp, target)
  } catch (e) {
    // A failed write (ENOSPC, EIO) must not leave part of the plaintext behind.
    await fsp.rm(tmp, { force: true }).catch(() => undefined)
    throw ioError('write', file, e)
  }
}

/** Writes text to stdout and waits until it is flushed. */
export function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    io().stdout.write(text, (e) => (e ? reject(e) : resolve()))
  })
}
