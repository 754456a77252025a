import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunOptions, runCli, tempDir } from './helpers/cli.js'
import { filesContaining } from './helpers/files.js'
import { keyA, startTestKms, type TestKms } from './helpers/kms.js'
import { sealFixture } from './helpers/seal.js'

const child = fileURLToPath(new URL('./fixtures/child.mjs', import.meta.url))
// Random per run: a literal canary would also sit in vitest's transform cache of this file under os.tmpdir().
const tag = randomBytes(8).toString('hex')
const db = { password: `pw-${tag}`, port: 5432, nested: { user: `user-${tag}` } }
const token = `token-${tag}`
const pem = `-----BEGIN PRIVATE KEY-----\npem-${tag}\n-----END PRIVATE KEY-----\n`
const canaries = [tag]
let kms: TestKms
let cwd: ReturnType<typeof tempDir>
let tmpdir: ReturnType<typeof tempDir>

beforeAll(async () => {
  kms = await startTestKms()
  cwd = tempDir('exec-cwd')
  tmpdir = tempDir('exec-tmp')
  await sealFixture(cwd.dir, 'db.secret.json', JSON.stringify(db), { endpoint: kms.endpoint, keyId: keyA })
  await sealFixture(cwd.dir, 'api.secret.env', `token=${token}\n`, { endpoint: kms.endpoint, keyId: keyA })
  await sealFixture(cwd.dir, 'tls.secret.pem', pem, { endpoint: kms.endpoint, keyId: keyA })
})
afterAll(async () => {
  await kms?.close()
  cwd?.cleanup()
  tmpdir?.cleanup()
})

const exec = (args: string[], onSpawn?: RunOptions['onSpawn']) =>
  runCli(['exec', ...args], {
    endpoint: kms.endpoint,
    as: 'runtime',
    cwd: cwd.dir,
    env: { TMPDIR: tmpdir.dir },
    ...(onSpawn ? { onSpawn } : {}),
  })

function expectNothingOnDisk(): void {
  expect(filesContaining(cwd.dir, canaries)).toEqual([])
  expect(filesContaining(tmpdir.dir, canaries)).toEqual([])
  expect(filesContaining(os.tmpdir(), canaries)).toEqual([])
  if (existsSync('/dev/shm')) expect(filesContaining('/dev/shm', canaries)).toEqual([])
}

describe('exec', () => {
  it('passes top-level keys as env vars (nested → JSON) and files through in-memory FIFOs', async () => {
    const r = await exec([
      '--env',
      'db.secret.json',
      '--env',
      'api.secret.env',
      '--file',
      'CFG=db.secret.json',
      '--file',
      'TLS=tls.secret.pem',
      '--',
      'node',
      child,
      'report',
    ])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const seen = JSON.parse(r.stdout)
    expect(seen.env).toEqual({ password: db.password, port: '5432', nested: JSON.stringify(db.nested), token })
    expect(JSON.parse(seen.cfg)).toEqual(db)
    expect(seen.cfgAgain).toBe(seen.cfg)
    expect(seen.pem).toBe(pem)
    if (existsSync('/dev/shm')) expect(seen.cfgPath).toMatch(/^\/dev\/shm\/kms-secrets-[^/]+\/CFG$/)
    expect(existsSync(seen.cfgPath)).toBe(false)
    expectNothingOnDisk()
  })

  it('works for a non-Node program (sh + cat)', async () => {
    const r = await exec([
      '--file',
      'TLS=tls.secret.pem',
      '--env',
      'db.secret.json',
      '--',
      'sh',
      '-c',
      'cat "$TLS"; printf %s "$password"',
    ])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`${pem}${db.password}`)
    expectNothingOnDisk()
  })

  it("exits with the child's exit code", async () => {
    const r = await exec(['--env', 'db.secret.json', '--', 'node', child, 'exit', '7'])
    expect(r.code).toBe(7)
  })

  it('forwards SIGTERM to the child and exits with its code; nothing left behind', async () => {
    const r = await exec(['--file', 'CFG=db.secret.json', '--', 'node', child, 'trap'], (proc) => {
      proc.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) proc.kill('SIGTERM')
      })
    })
    expect(r.code).toBe(42)
    expectNothingOnDisk()
  })

  it.concurrent.for<[string, number, string[]]>([
    ['no command', 2, ['--env', 'db.secret.json']],
    ['no --env/--file', 2, ['--', 'node', '-e', '0']],
    ['a text file as --env', 2, ['--env', 'tls.secret.pem', '--', 'node', '-e', '0']],
    ['a bad --file spec', 2, ['--file', 'not a name=db.secret.json', '--', 'node', '-e', '0']],
    ['an unknown command', 2, ['--env', 'db.secret.json', '--', 'no-such-program-xyz']],
    ['a missing secret file', 3, ['--env', 'missing.secret.json', '--', 'node', '-e', '0']],
  ])('%s → exit %s', async ([_name, code, args], { expect }) => {
    const r = await exec(args)
    expect(r.code).toBe(code)
    expect(r.stderr).not.toContain(tag)
  })

  it('no mkfifo(1) on PATH → ERR_CLI_UNSAFE (5), the child never runs', async () => {
    const r = await runCli(
      ['exec', '--file', 'CFG=db.secret.json', '--', process.execPath, '-e', 'console.log("ran")'],
      {
        endpoint: kms.endpoint,
        as: 'runtime',
        cwd: cwd.dir,
        env: { PATH: '/nonexistent' },
      },
    )
    expect(r.code).toBe(5)
    expect(r.stdout).toBe('')
  })

  it('the sealer identity cannot decrypt → 32, the child never runs', async () => {
    const r = await runCli(['exec', '--env', 'db.secret.json', '--', 'node', '-e', 'console.log("ran")'], {
      endpoint: kms.endpoint,
      as: 'sealer',
      cwd: cwd.dir,
    })
    expect(r.code).toBe(32)
    expect(r.stdout).toBe('')
  })
})
