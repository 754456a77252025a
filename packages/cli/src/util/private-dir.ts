import { accessSync, constants, lstatSync, mkdtempSync, rmSync, type Stats, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import process from 'node:process'
import { KmsSecretsError } from '@kms-secrets/core/errors'
import { sigintExitCode, sigtermExitCode } from '../exit-codes.js'
import { hasOwnEnv, io } from './io.js'

/** Where RAM-backed scratch space lives on Linux; plaintext put there never reaches a disk. */
export const ramDir = '/dev/shm'

function isUsableDir(dir: string): boolean {
  try {
    if (!statSync(dir).isDirectory()) return false
    accessSync(dir, constants.W_OK | constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** os.tmpdir() of the run's environment (TMPDIR, TMP, TEMP, else /tmp). */
function tempRoot(): string {
  if (!hasOwnEnv()) return os.tmpdir()
  const { env } = io()
  const dir = env.TMPDIR || env.TMP || env.TEMP || '/tmp'
  return dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir
}

export interface PrivateDir {
  dir: string
  ramBacked: boolean
  /** Removes the directory and everything in it (idempotent, synchronous so it also runs in signal handlers). */
  remove(): void
  /** Leaves the directory in place from now on (a rejected edit the user may resume); remove() does nothing then. */
  keep(): void
}

/**
 * A fresh 0700 directory on /dev/shm; without /dev/shm only when `allowDisk` (else ERR_CLI_UNSAFE). It is removed on
 * `remove()`, at process exit and, with `exitOnSignal`, on SIGINT/SIGTERM/SIGHUP (then the process exits 130/143/129).
 */
export function createPrivateDir(purpose: string, allowDisk: boolean, exitOnSignal = true): PrivateDir {
  const ramBacked = isUsableDir(ramDir)
  if (!ramBacked && !allowDisk) {
    throw new KmsSecretsError(
      'ERR_CLI_UNSAFE',
      `No RAM-backed ${ramDir} here, so ${purpose} would put plaintext on disk.`,
      {
        hint: `Pass --allow-disk to use ${tempRoot()} instead (the file is 0600 and removed afterwards, but may reach the disk).`,
      },
    )
  }
  const dir = mkdtempSync(path.join(ramBacked ? ramDir : tempRoot(), 'kms-secrets-'))
  let removed = false
  const onSignal = (signal: NodeJS.Signals) => {
    remove()
    process.exit(signal === 'SIGINT' ? sigintExitCode : signal === 'SIGTERM' ? sigtermExitCode : 129)
  }
  function release() {
    removed = true
    for (const s of signals) process.off(s, onSignal)
    process.off('exit', remove)
  }
  function remove() {
    if (removed) return
    release()
    rmSync(dir, { recursive: true, force: true })
  }
  // `exec` forwards signals to its child and cleans up when the child exits, so it opts out of exiting here.
  const signals = exitOnSignal ? (['SIGINT', 'SIGTERM', 'SIGHUP'] as const) : []
  for (const s of signals) process.on(s, onSignal)
  process.on('exit', remove)
  return { dir, ramBacked, remove, keep: release }
}

/**
 * Precondition: a `--resume` path is an edit that `edit` kept: a regular 0600 file of this user (not a link) directly
 * inside a 0700 `kms-secrets-*` directory of this user on /dev/shm. Returns that directory.
 */
export function assertKeptEdit(file: string): string {
  const kept = path.resolve(file)
  const dir = path.dirname(kept)
  const own = (st: Stats | undefined, type: 'file' | 'dir', mode: number) =>
    st !== undefined &&
    (type === 'file' ? st.isFile() : st.isDirectory()) &&
    (st.mode & 0o777) === mode &&
    (process.getuid === undefined || st.uid === process.getuid())
  const ok =
    path.dirname(dir) === ramDir &&
    path.basename(dir).startsWith('kms-secrets-') &&
    own(lstatSync(dir, { throwIfNoEntry: false }), 'dir', 0o700) &&
    own(lstatSync(kept, { throwIfNoEntry: false }), 'file', 0o600)
  if (!ok) {
    throw new KmsSecretsError('ERR_CLI_USAGE', `--resume ${file} is not an edit kept by kms-secrets edit.`, {
      hint: `Pass the path printed when the edit was rejected (${ramDir}/kms-secrets-…/<file>), or run edit without --resume.`,
    })
  }
  return dir
}
