import { randomBytes } from 'node:crypto'
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, type SpawnOptions, spawnCli, tempDir } from './helpers/cli.js'
import { filesContaining } from './helpers/files.js'
import { identities, keyA, startCliKms, type TestKms } from './helpers/kms.js'
import { sealFixture } from './helpers/seal.js'

const child = fileURLToPath(new URL('./fixtures/child.mjs', import.meta.url))
// Random per run: a literal canary would also sit in vitest's transform cache of this file under os.tmpdir().
const tag = randomBytes(8).toString('hex')
const db = { password: `pw-${tag}`, port: 5432, nested: { user: `user-${tag}` } }
const token = `token-${tag}`
const pem = `-----BEGIN PRIVATE KEY-----\npem-${tag}\n-----END PRIVATE KEY-----\n`
const canaries = [tag]
// Before the canaries exist in any file (1 s of slack for coarse file-system timestamps).
const startedAt = Date.now() - 1000
let kms: TestKms
let cwd: ReturnType<typeof tempDir>
let tmpdir: ReturnType<typeof tempDir>

beforeAll(async () => {
  kms = await startCliKms()
  cwd = tempDir('exec-cwd')
  tmpdir = tempDir('exec-tmp')
  await sealFixture(cwd.dir, 'db.secret.json', JSON.stringify(db), { endpoint: kms.endpoint, keyId: keyA })
  await sealFixture(cwd.dir, 'api.secret.env', `token=${token}\n`, { endpoint: kms.endpoint, keyId: keyA })
  await sealFixture(cwd.dir, 'tls.secret.pem', pem, { endpoint: kms.endpoint, keyId: keyA })
})
afterAll(async () => {
  await kms?.dispose()
  cwd?.cleanup()
  tmpdir?.cleanup()
})

const execOptions = () => ({
  endpoint: kms.endpoint,
  as: 'runtime' as const,
  cwd: cwd.dir,
  env: { TMPDIR: tmpdir.dir },
})
/** In this process (the child's stdio piped to the run's streams). */
const exec = (args: string[]) => runCli(['exec', ...args], execOptions())
/** The real bin: the child inherits its stdio, the exit status is what a shell sees, signals reach the process. */
const execSpawned = (args: string[], onSpawn?: SpawnOptions['onSpawn']) =>
  spawnCli(['exec', ...args], { ...execOptions(), ...(onSpawn ? { onSpawn } : {}) })

function expectNothingOnDisk(): void {
  // cwd and TMPDIR of the runs are temp dirs under os.tmpdir() too: they are part of that walk.
  for (const dir of [cwd.dir, tmpdir.dir]) expect(path.relative(os.tmpdir(), dir).startsWith('..')).toBe(false)
  expect(filesContaining(os.tmpdir(), canaries, startedAt)).toEqual([])
  if (existsSync('/dev/shm')) expect(filesContaining('/dev/shm', canaries, startedAt)).toEqual([])
}

describe('exec', () => {
  it('passes top-level keys as env vars (nested → JSON) and files through in-memory FIFOs', async () => {
    const r = await execSpawned([
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
    const r = await execSpawned(['--env', 'db.secret.json', '--', 'node', child, 'exit', '7'])
    expect(r.code).toBe(7)
  })

  it('forwards SIGTERM to the child and exits with its code; nothing left behind', async () => {
    const r = await execSpawned(['--file', 'CFG=db.secret.json', '--', 'node', child, 'trap'], (proc) => {
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

describe('exec: what a sealed file may set, and which credentials the child gets', () => {
  // Sealing needs only kms:Encrypt: these files are what a sealer-only attacker could hand the operator.
  const marker = () => path.join(tmpdir.dir, `ran-${tag}`)
  beforeAll(async () => {
    const hook = path.join(cwd.dir, 'hook.cjs')
    writeFileSync(hook, `require('node:fs').writeFileSync(${JSON.stringify(marker())}, 'x')\n`)
    const seal = (name: string, text: string) =>
      sealFixture(cwd.dir, name, text, { endpoint: kms.endpoint, keyId: keyA })
    await seal('node-options.secret.env', `NODE_OPTIONS=--require ${hook}\ntoken=${token}\n`)
    await seal('preload.secret.json', JSON.stringify({ LD_PRELOAD: `/tmp/evil-${tag}.so`, PATH: `/tmp/bin-${tag}` }))
    await seal('creds.secret.json', JSON.stringify({ TENCENTCLOUD_SECRET_ID: `AKID-${tag}` }))
    await seal('bad-name.secret.json', JSON.stringify({ 'my-key': `v-${tag}` }))
  })

  const scfCreds = {
    TENCENTCLOUD_SECRETID: 'scf-id',
    TENCENTCLOUD_SECRETKEY: 'scf-key',
    TENCENTCLOUD_SESSIONTOKEN: 'scf-token',
    TKE_ROLE_ARN: 'qcs::cam::uin/1:roleName/r',
  }
  const run = (args: string[]) =>
    runCli(['exec', ...args], {
      endpoint: kms.endpoint,
      as: 'runtime',
      cwd: cwd.dir,
      env: { TMPDIR: tmpdir.dir, ...scfCreds },
    })
  const report = ['--', 'node', child, 'env']

  it.concurrent.for<[string, string, string[]]>([
    ['NODE_OPTIONS from an env file', 'node-options.secret.env', ['NODE_OPTIONS']],
    ['LD_PRELOAD and PATH from a JSON file', 'preload.secret.json', ['LD_PRELOAD', 'PATH']],
    ['a KMS credential from a sealed file', 'creds.secret.json', ['TENCENTCLOUD_SECRET_ID']],
  ])(
    'refuses %s → ERR_CLI_UNSAFE (5): names var and file, never the value; nothing runs',
    async ([, file, names], { expect }) => {
      const r = await run(['--env', 'db.secret.json', '--env', file, ...report, 'password'])
      expect(r.code).toBe(5)
      expect(r.stdout).toBe('')
      expect(r.stderr).toContain('[ERR_CLI_UNSAFE]')
      expect(r.stderr).toContain(file)
      for (const n of names) expect(r.stderr).toContain(`--allow-var ${n}`)
      expect(r.stderr).not.toContain(tag)
      expect(existsSync(marker())).toBe(false)
    },
  )

  it('--allow-var NODE_OPTIONS lets the file set it (the operator opted in)', async () => {
    const r = await run(['--env', 'node-options.secret.env', '--allow-var', 'NODE_OPTIONS', ...report, 'token'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ token })
    expect(existsSync(marker())).toBe(true)
    rmSync(marker())
  })

  it('refuses a key that is not a valid variable name (it used to be skipped) → 5', async () => {
    const r = await run(['--env', 'bad-name.secret.json', ...report, 'my-key'])
    expect(r.code).toBe(5)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('"my-key"')
    expect(r.stderr).not.toContain(tag)
  })

  it('applies the same check to --file NAME=, before any KMS call', async () => {
    const r = await run(['--file', 'LD_PRELOAD=db.secret.json', ...report, 'LD_PRELOAD'])
    expect(r.code).toBe(5)
    expect(r.stderr).toContain('--allow-var LD_PRELOAD')
    const bad = await run(['--env', 'db.secret.json', '--allow-var', 'A B', ...report])
    expect(bad.code).toBe(2)
  })

  // TENCENTCLOUD_SESSION_TOKEN is left out: local-kms would reject a made-up token (it is stripped like the others).
  const allCredNames = ['TENCENTCLOUD_SECRET_ID', 'TENCENTCLOUD_SECRET_KEY', ...Object.keys(scfCreds)]

  it("strips the operator's KMS credentials (env, SCF and TKE names) from the child by default", async () => {
    const r = await run(['--env', 'db.secret.json', ...report, ...allCredNames, 'KMS_SECRETS_ENDPOINT'])
    expect(r.code).toBe(0)
    const seen = JSON.parse(r.stdout)
    for (const n of allCredNames) expect(seen[n], n).toBeNull()
    expect(seen.KMS_SECRETS_ENDPOINT).toBe(kms.endpoint)
  })

  it('--keep-credentials passes them on', async () => {
    const r = await run(['--env', 'db.secret.json', '--keep-credentials', ...report, ...allCredNames])
    expect(r.code).toBe(0)
    const seen = JSON.parse(r.stdout)
    expect(seen.TENCENTCLOUD_SECRET_ID).toBe(identities.runtime.secretId)
    expect(seen.TENCENTCLOUD_SECRET_KEY).toBe(identities.runtime.secretKey)
    for (const [k, v] of Object.entries(scfCreds)) expect(seen[k]).toBe(v)
  })
})
