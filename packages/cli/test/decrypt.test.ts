import { chmodSync, linkSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, tempDir } from './helpers/cli.js'
import { keyA, startCliKms, type TestKms } from './helpers/kms.js'
import { sealFixture } from './helpers/seal.js'

const db = {
  host: 'db.internal',
  password: 'dec-canary-pw-2b7e90',
  port: 5432,
  replicas: ['r1.internal', 'r2.internal'],
}
let kms: TestKms
let tmp: ReturnType<typeof tempDir>

beforeAll(async () => {
  kms = await startCliKms()
  tmp = tempDir('decrypt')
  writeFileSync(path.join(tmp.dir, 'v9.secret.json'), '{"kmsSecrets":9}')
  await sealFixture(tmp.dir, 'db.secret.json', JSON.stringify(db), { endpoint: kms.endpoint, keyId: keyA })
  await sealFixture(tmp.dir, 'app.secret.yaml', 'api:\n  token: dec-canary-tok-7a\nretries: 3\n', {
    endpoint: kms.endpoint,
    keyId: keyA,
  })
  await sealFixture(tmp.dir, 'tls.secret.pem', '-----BEGIN KEY-----\ndec-canary-pem\n-----END KEY-----\n', {
    endpoint: kms.endpoint,
    keyId: keyA,
  })
})
afterAll(async () => {
  await kms?.dispose()
  tmp?.cleanup()
})

const cli = (args: string[], as: 'admin' | 'sealer' | 'runtime' = 'runtime') =>
  runCli(args, { endpoint: kms.endpoint, as, cwd: tmp.dir })

describe('decrypt', () => {
  it('prints the plaintext in the file format on stdout (a Decrypt-only identity suffices)', async () => {
    const r = await cli(['decrypt', 'db.secret.json'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual(db)
    const y = await cli(['decrypt', 'app.secret.yaml'])
    expect(y.stdout).toMatch(/^api:\n {2}token: dec-canary-tok-7a\nretries: 3\n$/)
    const t = await cli(['decrypt', 'tls.secret.pem'])
    expect(t.stdout).toBe('-----BEGIN KEY-----\ndec-canary-pem\n-----END KEY-----\n')
  })

  it.concurrent.for<[string, string]>([
    ['$.password', 'dec-canary-pw-2b7e90\n'],
    ['password', 'dec-canary-pw-2b7e90\n'],
    ['["replicas"][1]', 'r2.internal\n'],
    ['$.port', '5432\n'],
    ['$.replicas', '[\n  "r1.internal",\n  "r2.internal"\n]\n'],
  ])('--extract %s', async ([expr, out], { expect }) => {
    const r = await cli(['decrypt', 'db.secret.json', '--extract', expr])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(out)
  })

  it('-o writes the plaintext 0600 with a warning on stderr', async () => {
    const r = await cli(['decrypt', 'db.secret.json', '-o', 'plain.json'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^warning: wrote the PLAINTEXT/m)
    const out = path.join(tmp.dir, 'plain.json')
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(db)
    expect(statSync(out).mode & 0o777).toBe(0o600)
  })

  it('a tampered ciphertext fails authentication (ERR_ENVELOPE_AUTH → 13), printing no value', async () => {
    const env = JSON.parse(readFileSync(path.join(tmp.dir, 'db.secret.json'), 'utf8'))
    const data = Buffer.from(env.data, 'base64')
    data[0]! ^= 1
    writeFileSync(path.join(tmp.dir, 'tampered.secret.json'), JSON.stringify({ ...env, data: data.toString('base64') }))
    const r = await cli(['decrypt', 'tampered.secret.json'])
    expect(r.code).toBe(13)
    expect(r.stdout).toBe('')
    expect(r.stderr).not.toContain('dec-canary')
  })

  it('an envelope moved to another id fails (the AAD binds the id)', async () => {
    const env = JSON.parse(readFileSync(path.join(tmp.dir, 'db.secret.json'), 'utf8'))
    writeFileSync(path.join(tmp.dir, 'moved.secret.json'), JSON.stringify({ ...env, id: 'moved.secret.json' }))
    expect((await cli(['decrypt', 'moved.secret.json'])).code).toBe(13)
  })

  it.concurrent.for<[string, number, string[]]>([
    ['plaintext file', 10, ['decrypt', 'plain.json']],
    ['unknown version', 11, ['decrypt', 'v9.secret.json']],
    ['missing file', 3, ['decrypt', 'missing.secret.json']],
    ['bad extract path', 2, ['decrypt', 'db.secret.json', '--extract', '$.nope']],
    ['-o onto the sealed file itself', 5, ['decrypt', 'db.secret.json', '-o', './db.secret.json']],
    ['no file', 2, ['decrypt']],
  ])('%s → exit %s', async ([_name, code, args], { expect }) => {
    const r = await cli(args)
    expect(r.code).toBe(code)
    expect(r.stderr).toMatch(/^error: /m)
    expect(r.stderr).not.toContain('dec-canary')
  })

  it('the sealer identity may not Decrypt (ERR_KMS_UNAUTHORIZED → 32)', async () => {
    const r = await cli(['decrypt', 'db.secret.json'], 'sealer')
    expect(r.code).toBe(32)
    expect(r.stdout).toBe('')
  })

  it('a disabled key → ERR_KMS_KEY_DISABLED (34); enabled again → decrypts', async () => {
    expect((await cli(['keys', 'disable', keyA], 'admin')).code).toBe(0)
    try {
      expect((await cli(['decrypt', 'db.secret.json'])).code).toBe(34)
    } finally {
      expect((await cli(['keys', 'enable', keyA], 'admin')).code).toBe(0)
    }
    expect((await cli(['decrypt', 'db.secret.json'])).code).toBe(0)
  })

  it('no KMS listening → ERR_KMS_NETWORK (40)', async () => {
    const r = await runCli(['decrypt', 'db.secret.json'], {
      endpoint: 'http://127.0.0.1:9',
      as: 'runtime',
      cwd: tmp.dir,
    })
    expect(r.code).toBe(40)
  })
})

describe('decrypt -o never writes through a link or over an input', () => {
  let sealedText: string
  beforeAll(async () => {
    await sealFixture(tmp.dir, 'link.secret.env', 'token=dec-canary-link-5c\n', { endpoint: kms.endpoint, keyId: keyA })
    sealedText = readFileSync(path.join(tmp.dir, 'link.secret.env'), 'utf8')
    symlinkSync('link.secret.env', path.join(tmp.dir, 'out-symlink.env'))
    linkSync(path.join(tmp.dir, 'link.secret.env'), path.join(tmp.dir, 'out-hardlink.env'))
    mkdirSync(path.join(tmp.dir, 'sub'))
    symlinkSync('..', path.join(tmp.dir, 'sub', 'up'))
    writeFileSync(path.join(tmp.dir, 'other.txt'), 'other\n')
    symlinkSync('other.txt', path.join(tmp.dir, 'out-other-symlink.env'))
    symlinkSync('missing.txt', path.join(tmp.dir, 'out-dangling.env'))
    linkSync(path.join(tmp.dir, 'other.txt'), path.join(tmp.dir, 'out-other-hardlink.env'))
  })

  it.for<[string, string]>([
    ['a symlink to the sealed file', 'out-symlink.env'],
    ['a hard link to the sealed file', 'out-hardlink.env'],
    ['the sealed file through a directory symlink', 'sub/up/link.secret.env'],
    ['a symlink to another file', 'out-other-symlink.env'],
    ['a dangling symlink', 'out-dangling.env'],
    ['a file with another hard link', 'out-other-hardlink.env'],
    ['a directory', 'sub'],
  ])('-o %s → ERR_CLI_UNSAFE (5); the sealed file stays byte-identical', async ([, out]) => {
    const r = await cli(['decrypt', 'link.secret.env', '-o', out])
    expect(r.code).toBe(5)
    expect(r.stderr).toContain('[ERR_CLI_UNSAFE]')
    expect(r.stderr).not.toContain('dec-canary')
    expect(readFileSync(path.join(tmp.dir, 'link.secret.env'), 'utf8')).toBe(sealedText)
    expect(readFileSync(path.join(tmp.dir, 'other.txt'), 'utf8')).toBe('other\n')
    expect(lstatSync(path.join(tmp.dir, 'out-symlink.env')).isSymbolicLink()).toBe(true)
  })

  it('-o over an existing 0644 file of its own replaces it with a 0600 file', async () => {
    const out = path.join(tmp.dir, 'existing.env')
    writeFileSync(out, 'old\n')
    chmodSync(out, 0o644)
    const r = await cli(['decrypt', 'link.secret.env', '-o', 'existing.env'])
    expect(r.code).toBe(0)
    expect(readFileSync(out, 'utf8')).toBe('token=dec-canary-link-5c\n')
    expect(statSync(out).mode & 0o777).toBe(0o600)
    expect(readFileSync(path.join(tmp.dir, 'link.secret.env'), 'utf8')).toBe(sealedText)
  })
})
