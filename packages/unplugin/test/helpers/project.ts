import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'

export const fixturesDir: string = join(import.meta.dirname, '..', 'fixtures')

const made: string[] = []
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A temp dir removed after the test, optionally seeded with copies of fixture files. */
export function tempProject(files: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'kms-unplugin-'))
  made.push(dir)
  for (const f of files) cpSync(join(fixturesDir, f), join(dir, f))
  return dir
}

/** The envelope literal of a generated module (the first argument of openSecret/openSecretSync). */
export function envelopeOf(code: string): Record<string, unknown> {
  const m = /openSecret(?:Sync)?\((\{.*?\}), \{ file:/.exec(code)
  if (!m) throw new Error('no envelope in generated code')
  return JSON.parse(m[1]!)
}
