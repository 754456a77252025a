import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, tempDir } from './helpers/cli.js'
import { keyA, keyB, startCliKms, type TestKms } from './helpers/kms.js'

const db = { host: 'db.internal', user: 'app', password: 'enc-canary-pw-5c1f0e', port: 5432 }
let kms: TestKms
let tmp: ReturnType<typeof tempDir>
const file = (name: string) => path.join(tmp.dir, name)
const write = (name: string, text: string) => writeFileSync(file(name), text)

beforeAll(async () => {
  kms = await startCliKms()
  tmp = tempDir('encrypt')
  write('notes.md', 'x')
})
afterAll(async () => {
  await kms?.dispose()
  tmp?.cleanup()
})

const cli = (args: string[], as: 'admin' | 'sealer' | 'runtime' = 'sealer') =>
  runCli(args, { endpoint: kms.endpoint, as, cwd: tmp.dir })

function auditActions(): string[] {
  const log = readFileSync(path.join(kms.dataDir, 'audit.log'), 'utf8').trim().split('\n')
  return log.map((l) => (JSON.parse(l) as { action: string }).action)
}

describe('encrypt', () => {
  it('seals to stdout by default, binding the id to the file name; the sealer identity suffices', async () => {
    write('db.secret.json', JSON.stringify(db))
    const r = await cli(['encrypt', 'db.secret.json', '--key-id', keyA])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const env = JSON.parse(r.stdout)
    expect(Object.keys(env)[0]).toBe('kmsSecrets')
    expect(env).toMatchObject({ mode: 'envelope', id: 'db.secret.json', format: 'json', kms: { keyId: keyA } })
    expect(r.stdout).not.toContain(db.password)
    expect(readFileSync(file('db.secret.json'), 'utf8')).toContain(db.password)
  })

  it('seals several files in place with ONE data key (one GenerateDataKey), in each own format', async () => {
    write('a.secret.json', JSON.stringify(db))
    write('b.secret.yaml', 'api:\n  token: enc-canary-tok-88a1\n')
    write('c.secret.env', 'SMTP_PASS=enc-canary-smtp-19b\n')
    write('d.secret.pem', '-----BEGIN KEY-----\nenc-canary-pem-00\n-----END KEY-----\n')
    const before = auditActions().filter((a) => a === 'GenerateDataKey').length
    const r = await cli([
      'encrypt',
      'a.secret.json',
      'b.secret.yaml',
      'c.secret.env',
      'd.secret.pem',
      '--key-id',
      keyA,
      '-i',
      '--context',
      'app=api',
      '--json',
    ])
    expect(r.code).toBe(0)
    expect(auditActions().filter((a) => a === 'GenerateDataKey').length).toBe(before + 1)
    const meta = JSON.parse(r.stdout)
    expect(meta).toMatchObject({ keyId: keyA, dataKeys: 1 })
    expect(meta.files.map((f: { format: string }) => f.format)).toEqual(['json', 'yaml', 'env', 'text'])
    const envs = ['a.secret.json', 'b.secret.yaml', 'c.secret.env', 'd.secret.pem'].map((n) =>
      JSON.parse(readFileSync(file(n), 'utf8')),
    )
    expect(new Set(envs.map((e) => e.kms.blob)).size).toBe(1)
    expect(envs.map((e) => e.id)).toEqual(['a.secret.json', 'b.secret.yaml', 'c.secret.env', 'd.secret.pem'])
    expect(envs[0].context).toEqual({ app: 'api' })
    const dec = await runCli(['decrypt', 'b.secret.yaml'], { endpoint: kms.endpoint, as: 'runtime', cwd: tmp.dir })
    expect(dec.stdout).toContain('token: enc-canary-tok-88a1')
  })

  it('-o writes the envelope to a file whose base name becomes the id; --id overrides it', async () => {
    write('plain.secret.json', JSON.stringify(db))
    const r = await cli(['encrypt', 'plain.secret.json', '--key-id', keyB, '-o', 'out.secret.json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(readFileSync(file('out.secret.json'), 'utf8'))).toMatchObject({
      id: 'out.secret.json',
      kms: { keyId: keyB },
    })
    const r2 = await cli(['encrypt', 'plain.secret.json', '--key-id', keyB, '--id', '0123'])
    expect(JSON.parse(r2.stdout).id).toBe('0123')
  })

  it('refuses an already sealed file (ERR_ENVELOPE_ALREADY_SEALED → 15)', async () => {
    const r = await cli(['encrypt', 'a.secret.json', '--key-id', keyA])
    expect(r.code).toBe(15)
    expect(r.stderr).toMatch(/^error: .*already sealed/m)
    expect(r.stderr).toMatch(/^hint: /m)
    expect(r.stdout).toBe('')
  })

  it('reports malformed input with line and column, never its content (ERR_SECRET_PARSE → 20)', async () => {
    write('bad.secret.json', '{\n  "password": "enc-canary-bad-77",\n  oops\n}\n')
    const r = await cli(['encrypt', 'bad.secret.json', '--key-id', keyA])
    expect(r.code).toBe(20)
    expect(r.stderr).toMatch(/bad\.secret\.json:3:\d+/)
    expect(r.stderr).not.toContain('enc-canary-bad-77')
    expect(r.stderr).not.toContain('oops')
  })

  it.concurrent.for<[string, number, string[]]>([
    ['no --key-id', 2, ['encrypt', 'plain.secret.json']],
    ['-i with -o', 2, ['encrypt', 'plain.secret.json', '--key-id', keyA, '-i', '-o', 'x.secret.json']],
    ['several files without -i', 2, ['encrypt', 'plain.secret.json', 'a.secret.json', '--key-id', keyA]],
    ['unknown option', 2, ['encrypt', 'plain.secret.json', '--key-id', keyA, '--frobnicate']],
    ['no file', 2, ['encrypt', '--key-id', keyA]],
    ['missing file', 3, ['encrypt', 'nope.secret.json', '--key-id', keyA]],
    ['unknown format', 21, ['encrypt', 'notes.md', '--key-id', keyA]],
    ['bad context', 23, ['encrypt', 'plain.secret.json', '--key-id', keyA, '--context', 'novalue']],
    ['unknown key', 33, ['encrypt', 'plain.secret.json', '--key-id', '99999999-4444-4444-8444-999999999999']],
  ])('%s → exit %s', async ([_name, code, args], { expect }) => {
    const r = await cli(args)
    expect(r.code).toBe(code)
    expect(r.stderr).toMatch(/^error: /m)
    expect(r.stderr).not.toContain('    at ')
  })

  it('a Decrypt-only identity cannot seal (ERR_KMS_UNAUTHORIZED → 32); --debug adds the stack', async () => {
    const r = await cli(['encrypt', 'plain.secret.json', '--key-id', keyA, '--debug'], 'runtime')
    expect(r.code).toBe(32)
    expect(r.stderr).toMatch(/KMS AuthFailure|UnauthorizedOperation/)
    expect(r.stderr).toContain('    at ')
  })
})
