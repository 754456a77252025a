import { readFileSync, writeFileSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { relative, resolve } from 'node:path'
import {
  declarationPathFor,
  renderSecretTypes,
  type SecretTypesInput,
  secretFormatOf,
  secretTypesOf,
} from '@kms-secrets/core'

export type { SecretTypesInput }
export { renderSecretTypes }

/** Where TypeScript looks for a secret import's types (`db.secret.d.json.ts`); see core's declarationPathFor. */
export const dtsPathFor: (file: string) => string = declarationPathFor

/** Writes `content` to `path` unless it already holds exactly that; true when written (no watcher loops). */
export async function writeIfChanged(path: string, content: string): Promise<boolean> {
  const current = await readFile(path, 'utf8').catch(() => undefined)
  if (current === content) return false
  await writeFile(path, content)
  return true
}

/**
 * The same, synchronously: what the plugin calls per secret file. A declaration is a few hundred bytes, so blocking
 * reads cost microseconds, where each promise-based readFile pays several thread-pool round trips (open, fstat, read,
 * close) — on a busy 2-core machine the largest part of the plugin's own build time.
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

/** Format and shape of a secret file on disk, sealed or plaintext. Never keeps the plaintext value. */
export async function readSecretTypes(file: string): Promise<SecretTypesInput> {
  return secretTypesOf(await readFile(file, 'utf8'), file, (f) => secretFormatOf(f, f))
}

export interface WriteSecretTypesOptions {
  /** Base of relative file paths. Default: process.cwd(). */
  cwd?: string
  /** Only compare: report which declaration files are missing or stale, write nothing. */
  check?: boolean
}

export interface SecretTypesResult {
  /** The secret file, relative to cwd. */
  file: string
  /** Its declaration file, relative to cwd. */
  dts: string
  /** Written (or, with `check`, would be written). */
  changed: boolean
}

/**
 * Writes `<name>.d.<ext>.ts` next to each secret file, from its sealed envelope's shape or its parsed plaintext
 * (no KMS call either way). The CLI's `kms-secrets types` reads files through the same core `secretTypesOf`.
 */
export async function writeSecretTypes(
  files: readonly string[],
  options: WriteSecretTypesOptions = {},
): Promise<SecretTypesResult[]> {
  const cwd = resolve(options.cwd ?? '.')
  const results: SecretTypesResult[] = []
  for (const file of files) {
    const abs = resolve(cwd, file)
    const dts = dtsPathFor(abs)
    const content = renderSecretTypes(await readSecretTypes(abs))
    const changed = options.check
      ? (await readFile(dts, 'utf8').catch(() => undefined)) !== content
      : await writeIfChanged(dts, content)
    results.push({ file: relative(cwd, abs), dts: relative(cwd, dts), changed })
  }
  return results
}
