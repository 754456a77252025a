import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { Options } from '../../src/core/options'
import { createFakeKms, type FakeKms } from './fake-kms'
import { fixturesDir, tempProject } from './project'

/** Plaintext canaries of the app's secret files: none may appear in any output. */
export const canaries = ['canary-db-password-7f3a', 'canary-dashed-key-91c2', 'canary-text-token-3d7e']

export interface App {
  root: string
  out: string
  kms: FakeKms
  plugin: Options
}

/** A tiny server app: src/server.js → src/db.js → config/db.secret.json, plus a text secret. */
export function createApp(extra: Record<string, string> = {}): App {
  const root = tempProject()
  mkdirSync(join(root, 'src/config'), { recursive: true })
  for (const f of ['db.secret.json', 'token.secret.txt']) cpSync(join(fixturesDir, f), join(root, 'src/config', f))
  const files: Record<string, string> = {
    'src/server.js':
      "import { db } from './db.js'\nimport token from './config/token.secret.txt'\nexport function info() { return [db.host, token.length] }\n",
    'src/db.js':
      "import db, { password } from './config/db.secret.json'\nexport { db }\nexport const hasPassword = password.length > 0\n",
    ...extra,
  }
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text)
  const kms = createFakeKms()
  const plugin: Options = { root, keyId: 'key-a', provider: kms, dts: false, runtime: '@kms-secrets/runtime' }
  return { root, out: join(root, 'dist'), kms, plugin }
}

/** Every file under dir, with its text. */
export function outputFiles(dir: string): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = []
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e)
      if (statSync(p).isDirectory()) walk(p)
      else out.push({ name: relative(dir, p), text: readFileSync(p, 'utf8') })
    }
  }
  walk(dir)
  return out
}

/** Output texts joined, asserting that no canary occurs in any file. */
export function expectNoPlaintext(dir: string): string {
  const files = outputFiles(dir)
  for (const f of files) for (const c of canaries) if (f.text.includes(c)) throw new Error(`${c} leaked into ${f.name}`)
  return files.map((f) => f.text).join('\n')
}
