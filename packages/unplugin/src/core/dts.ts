import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs'
import { declarationPathFor, renderSecretTypes, type SecretTypesInput } from '@kms-secrets/core'

export type { SecretTypesInput }
export { renderSecretTypes }

/** Where TypeScript looks for a secret import's types (`db.secret.d.json.ts`); see core's declarationPathFor. */
export const dtsPathFor: (file: string) => string = declarationPathFor

/** Declarations are a few hundred bytes: one scratch buffer serves every comparison (a larger one is read whole). */
const scratch = Buffer.allocUnsafe(16 * 1024)

/**
 * Whether the file at `path` holds exactly `content`. One open, one read of at most its expected size + 1 byte into
 * the scratch buffer, one close (readFileSync also stats the file and allocates for it); any error counts as "no".
 */
function holds(path: string, content: string): boolean {
  try {
    const size = Buffer.byteLength(content)
    if (size >= scratch.length) return readFileSync(path, 'utf8') === content
    const fd = openSync(path, 'r')
    try {
      const n = readSync(fd, scratch, 0, size + 1, 0)
      return n === size && scratch.toString('utf8', 0, n) === content
    } finally {
      closeSync(fd)
    }
  } catch {
    return false
  }
}

/**
 * Writes `content` to `path` unless it already holds exactly that; true when written (no watcher loops). The plugin
 * calls it per secret file. Synchronous: a declaration is a few hundred bytes, so blocking reads cost microseconds,
 * where each promise-based readFile pays several thread-pool round trips (open, fstat, read, close) — on a busy
 * 2-core machine the largest part of the plugin's own build time.
 */
export function writeIfChangedSync(path: string, content: string): boolean {
  if (holds(path, content)) return false
  writeFileSync(path, content)
  return true
}
