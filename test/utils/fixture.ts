import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'

export const testDir: string = join(dirname(fileURLToPath(import.meta.url)), '..')
export const repoDir: string = join(testDir, '..')
export const fixtureAppDir: string = join(testDir, 'fixtures', 'app')

/** The fixture app's secret files, relative to the app root. */
export const fixtureSecretFiles = [
  'config/db.secret.json',
  'config/settings.secret.yaml',
  'config/app.secret.env',
  'config/token.secret.txt',
] as const

/**
 * A scratch dir under test/.tmp (gitignored). Build output must live inside the workspace so that the bare imports a
 * bundler leaves external (the Tencent SDK the runtime uses) resolve from test/node_modules when the output runs.
 */
export function makeTempDir(prefix: string): string {
  const base = join(testDir, '.tmp')
  mkdirSync(base, { recursive: true })
  return mkdtempSync(join(base, `${prefix}-`))
}

/** Copies the fixture app into `dir/app` (so nothing a build writes lands in the committed fixture). */
export function copyFixtureApp(dir: string): string {
  const app = join(dir, 'app')
  cpSync(fixtureAppDir, app, { recursive: true })
  return app
}

function parseEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line)
    if (m) out[m[1]!] = m[2]!
  }
  return out
}

/** What the fixture app must print, computed from the plaintext files without any of our packages. */
export function expectedDigest(appDir: string = fixtureAppDir): Record<string, unknown> {
  const read = (f: string) => readFileSync(join(appDir, f), 'utf8')
  const db = JSON.parse(read('config/db.secret.json')) as Record<string, unknown>
  const appEnv = parseEnv(read('config/app.secret.env'))
  return {
    db,
    dbUser: db.user,
    settings: parseYaml(read('config/settings.secret.yaml')),
    appEnv,
    sessionSecret: appEnv.SESSION_SECRET,
    token: read('config/token.secret.txt'),
  }
}

/** Every string leaf of `value` at least `min` chars long: the plaintext that must never reach an artifact. */
export function stringLeaves(value: unknown, min = 8): string[] {
  if (typeof value === 'string') return value.length >= min ? [value] : []
  if (Array.isArray(value)) return value.flatMap((v) => stringLeaves(v, min))
  if (value && typeof value === 'object') return Object.values(value).flatMap((v) => stringLeaves(v, min))
  return []
}

/** The canaries of the fixture app: every secret string leaf (they all contain "canary"). */
export function fixtureCanaries(appDir: string = fixtureAppDir): string[] {
  return [...new Set(stringLeaves(expectedDigest(appDir)))]
}

/** Writes an app with `count` secret files (json), all imported by one entry that prints them. */
export function writeManySecretsApp(
  dir: string,
  count: number,
): { appDir: string; canaries: string[]; expected: unknown[] } {
  const appDir = join(dir, 'many')
  mkdirSync(join(appDir, 'config'), { recursive: true })
  mkdirSync(join(appDir, 'src'), { recursive: true })
  const imports: string[] = []
  const canaries: string[] = []
  const expected: unknown[] = []
  for (let i = 1; i <= count; i++) {
    const n = String(i).padStart(2, '0')
    const value = { name: `secret-${n}`, token: `canary-many-${n}-${Math.random().toString(36).slice(2, 10)}` }
    canaries.push(value.token)
    expected.push(value)
    writeFileSync(join(appDir, 'config', `s${n}.secret.json`), `${JSON.stringify(value, null, 2)}\n`)
    imports.push(`import s${n} from '../config/s${n}.secret.json'`)
  }
  const names = Array.from({ length: count }, (_, i) => `s${String(i + 1).padStart(2, '0')}`)
  const body = `process.stdout.write(JSON.stringify({ kmsSecretsDigest: [${names.join(', ')}] }) + '\\n')\n`
  writeFileSync(join(appDir, 'src', 'server.js'), `${imports.join('\n')}\n\n${body}`)
  return { appDir, canaries, expected }
}
