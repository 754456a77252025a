import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, tempDir } from './helpers/cli.js'
import { keyA, startCliKms, type TestKms } from './helpers/kms.js'
import { sealFixture } from './helpers/seal.js'

const password = 'scan-canary-pw-6b2f41'
let kms: TestKms
let tmp: ReturnType<typeof tempDir>
const at = (...p: string[]) => path.join(tmp.dir, ...p)

beforeAll(async () => {
  kms = await startCliKms()
  tmp = tempDir('scan')
  await sealFixture(tmp.dir, 'db.secret.json', JSON.stringify({ user: 'app', password }), {
    endpoint: kms.endpoint,
    keyId: keyA,
  })
  mkdirSync(at('clean', 'assets'), { recursive: true })
  writeFileSync(at('clean', 'index.js'), 'console.log("hello")\n')
  writeFileSync(at('clean', 'assets', 'app.css'), 'body{color:red}\n')
  mkdirSync(at('leaky', 'chunks'), { recursive: true })
  writeFileSync(at('leaky', 'index.js'), `const db = ${JSON.stringify({ password })}\n`)
  writeFileSync(
    at('leaky', 'chunks', 'a.js.map'),
    JSON.stringify({ sourcesContent: [Buffer.from(password).toString('base64')] }),
  )
  writeFileSync(at('leaky', 'ok.txt'), 'nothing here\n')
  writeFileSync(at('plain.secret.json'), JSON.stringify({ apiKey: 'scan-canary-plain-key-9' }))
})
afterAll(async () => {
  await kms?.dispose()
  tmp?.cleanup()
})

const cli = (args: string[]) => runCli(args, { endpoint: kms.endpoint, as: 'runtime', cwd: tmp.dir })

describe('scan', () => {
  it('clean output → exit 0', async () => {
    const r = await cli(['scan', 'clean', '--secrets', 'db.secret.json'])
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/no leaks: 2 files scanned/)
  })

  it('a hit → exit 1 listing asset, secret file, JSON path and encoding, never the value', async () => {
    const r = await cli(['scan', 'clean', 'leaky', '--secrets', 'db.secret.json'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/leak: leaky\/index\.js {2}db\.secret\.json {2}\$\.password {2}\(raw\)/)
    expect(r.stderr).toMatch(/leak: leaky\/chunks\/a\.js\.map {2}db\.secret\.json {2}\$\.password {2}\(base64\)/)
    expect(r.stderr).toMatch(/^error: Found 2 plaintext leaks in 2 files/m)
    expect(r.stderr + r.stdout).not.toContain(password)
  })

  it('--json prints the hits for scripts (still exit 1)', async () => {
    const r = await cli(['scan', 'leaky', '--secrets', 'db.secret.json', '--json'])
    expect(r.code).toBe(1)
    const out = JSON.parse(r.stdout)
    expect(out.scanned).toBe(3)
    expect(out.hits).toContainEqual({
      asset: 'leaky/index.js',
      file: 'db.secret.json',
      path: '$.password',
      encoding: 'raw',
    })
    expect(r.stdout).not.toContain(password)
  })

  it('plaintext secret files are accepted as --secrets (no KMS call) and skipped as assets', async () => {
    writeFileSync(at('leaky', 'key.js'), 'export const k = "scan-canary-plain-key-9"\n')
    const r = await runCli(['scan', '.', '--secrets', 'plain.secret.json'], { as: null, cwd: tmp.dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/leak: leaky\/key\.js {2}plain\.secret\.json {2}\$\.apiKey/)
    expect(r.stderr).not.toMatch(/leak: plain\.secret\.json/)
  })

  it.concurrent.for<[string, number, string[]]>([
    ['no --secrets', 2, ['scan', 'clean']],
    ['no dir', 2, ['scan', '--secrets', 'db.secret.json']],
    ['a missing dir', 3, ['scan', 'nope', '--secrets', 'db.secret.json']],
  ])('%s → exit %s', async ([_name, code, args], { expect }) => {
    expect((await cli(args)).code).toBe(code)
  })
})
