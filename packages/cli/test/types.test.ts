import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, tempDir } from './helpers/cli.js'
import { keyA, startCliKms, type TestKms } from './helpers/kms.js'
import { sealFixture } from './helpers/seal.js'

const tsc = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url))
let kms: TestKms
let tmp: ReturnType<typeof tempDir>
const at = (name: string) => path.join(tmp.dir, name)

beforeAll(async () => {
  kms = await startCliKms()
  tmp = tempDir('types')
  // `then` is never a named export (it would make the module namespace a thenable).
  const db = '{"host":"db.internal","password":"types-canary-pw-8e","port":5432,"then":"x","replicas":["a"]}'
  await sealFixture(tmp.dir, 'db.secret.json', db, { endpoint: kms.endpoint, keyId: keyA })
  await sealFixture(tmp.dir, 'tls.secret.pem', 'types-canary-pem\n', { endpoint: kms.endpoint, keyId: keyA })
  writeFileSync(at('app.secret.yaml'), 'api:\n  token: types-canary-tok\n  retries: 3\n')
  writeFileSync(
    at('tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'es2022',
        module: 'esnext',
        moduleResolution: 'bundler',
        allowArbitraryExtensions: true,
        resolveJsonModule: true,
        types: [],
        // No DOM: the default lib of es2022 includes it, which triples tsc's time here and types nothing we use.
        lib: ['es2022'],
      },
      include: ['*.ts'],
    }),
  )
  writeFileSync(
    at('main.ts'),
    [
      "import db, { password, port, replicas } from './db.secret.json'",
      "import app from './app.secret.yaml'",
      "import tls from './tls.secret.pem'",
      'export const p: string = db.password',
      'export const n: number = port',
      'export const s: string = password',
      'export const r: readonly string[] = replicas',
      'export const t: string = tls',
      'export const k: string = app.api.token',
      'export const c: number = app.api.retries',
      '// @ts-expect-error: no such key',
      'export const x = db.nope',
      '// @ts-expect-error: a string is not a number',
      'export const bad: number = db.password',
      '',
    ].join('\n'),
  )
})
afterAll(async () => {
  await kms?.dispose()
  tmp?.cleanup()
})

describe('types', () => {
  it('writes <name>.d.<ext>.ts for sealed and plaintext secret files, without any KMS call or value', async () => {
    const r = await runCli(['types', '--json'], { as: null, cwd: tmp.dir })
    expect(r.code).toBe(0)
    const files = JSON.parse(r.stdout).files.map((f: { dts: string }) => path.basename(f.dts))
    expect(files.sort()).toEqual(['app.secret.d.yaml.ts', 'db.secret.d.json.ts', 'tls.secret.d.pem.ts'])
    const dts = readFileSync(at('db.secret.d.json.ts'), 'utf8')
    expect(dts).toContain('export default secret')
    expect(dts).toContain('export declare const password: string')
    expect(dts).not.toContain('export declare const then')
    expect(dts).not.toContain('types-canary')
    expect(readFileSync(at('tls.secret.d.pem.ts'), 'utf8')).toContain('declare const secret: string')
  })

  it('tsc type-checks a file importing the secrets (default and named exports)', () => {
    const res = spawnSync(process.execPath, [tsc, '-p', at('tsconfig.json')], { encoding: 'utf8' })
    expect(res.stdout + res.stderr).toBe('')
    expect(res.status).toBe(0)
  })

  it('a second run changes nothing; --check passes, and fails (exit 1) when a declaration is stale', async () => {
    const again = await runCli(['types', '.'], { as: null, cwd: tmp.dir })
    expect(again.stderr).not.toMatch(/wrote/)
    expect((await runCli(['types', '--check'], { as: null, cwd: tmp.dir })).code).toBe(0)
    writeFileSync(at('app.secret.yaml'), 'api:\n  token: types-canary-tok\n  extra: true\n')
    const check = await runCli(['types', '--check'], { as: null, cwd: tmp.dir })
    expect(check.code).toBe(1)
    expect(check.stderr).toMatch(/stale: app\.secret\.d\.yaml\.ts/)
  })

  it('malformed plaintext → ERR_SECRET_PARSE (20)', async () => {
    const bad = tempDir('types-bad')
    try {
      writeFileSync(path.join(bad.dir, 'x.secret.json'), '{ nope')
      expect((await runCli(['types', bad.dir], { as: null })).code).toBe(20)
    } finally {
      bad.cleanup()
    }
  })
})
