import { readFileSync, writeFileSync } from 'node:fs'
import { declarationPathFor, renderSecretTypes, type SecretTypesInput } from '@kms-secrets/core'

export type { SecretTypesInput }
export { renderSecretTypes }

/** Where TypeScript looks for a secret import's types (`db.secret.d.json.ts`); see core's declarationPathFor. */
export const dtsPathFor: (file: string) => string = declarationPathFor

/**
 * Writes `content` to `path` unless it already holds exactly that; true when written (no watcher loops). The plugin
 * calls it per secret file. Synchronous: a declaration is a few hundred bytes, so blocking reads cost microseconds,
 * where each promise-based readFile pays several thread-pool round trips (open, fstat, read, close) — on a busy
 * 2-core machine the largest part of the plugin's own build time.
 */
export function writeIfChangedSync(path: string, content: string): boolean {
  let current: string | undefined
  try {
    current = readFileSync(path, 'utf8')
  } catch {
    current = undefined
  }
  if (current === content) return false
  writeFileSync(path, content)
  return true
}
