import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import process from 'node:process'
import { KmsSecretsError } from '@kms-secrets/core/errors'
import { sigintExitCode, sigtermExitCode } from '../exit-codes.js'

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

export interface PrivateDir {
  dir: string
  ramBacked: boolean
  /** Removes the directory and everything in it (idempotent, synchronous so it also runs in signal handlers). */
  remove(): void
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
        hint: `Pass --allow-disk to use ${os.tmpdir()} instead (the file is 0600 and removed afterwards, but may reach the disk).`,
      },
    )
  }
  const dir = mkdtempSync(path.join(ramBacked ? ramDir : os.tmpdir(), 'kms-secrets-'))
  let removed = false
  const onSignal = (signal: NodeJS.Signals) => {
    remove()
    process.exit(signal === 'SIGINT' ? sigintExitCode : signal === 'SIGTERM' ? sigtermExitCode : 129)
  }
  function remove() {
    if (removed) return
    removed = true
    rmSync(dir, { recursive: true, force: true })
    for (const s of signals) process.off(s, onSignal)
    process.off('exit', remove)
  }
  // `exec` forwards signals to its child and cleans up when the child exits, so it opts out of exiting here.
  const signals = exitOnSignal ? (['SIGINT', 'SIGTERM', 'SIGHUP'] as const) : []
  for (const s of signals) process.on(s, onSignal)
  process.on('exit', remove)
  return { dir, ramBacked, remove }
}
