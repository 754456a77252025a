import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, tempDir } from './helpers/cli.js'
import { type IdentityName, keyA, keyB, keyRsa, keySm2, startCliKms, type TestKms } from './helpers/kms.js'

// Project key (issue 12) against a real local-kms on a symmetric CMK: init once, then sealing needs no credentials.
const editor = fileURLToPath(new URL('./fixtures/editor.mjs', import.meta.url))
let kms: TestKms
let tmp: ReturnType<typeof tempDir>
const file = (name: string) => path.join(tmp.dir, name)
const write = (name: string, text: string) => writeFileSync(file(name), text)
const read = (name: string) => readFileSync(file(name), 'utf8')
const envOf = (name: string) => JSON.parse(read(name))

beforeAll(async () => {
  kms = await startCliKms()
  tmp = tempDir('project-key')
  mkdirSync(file('app/config'), { recursive: true })
})
afterAll(async () => {
  await kms?.dispose()
  tmp?.cleanup()
})

const cli = (
  args: string[],
  as: 'admin' | 'sealer' | 'runtime' | null = 'sealer',
  extra: { cwd?: string; env?: Record<string, string | undefined> } = {},
) => runCli(args, { endpoint: kms.endpoint, as, cwd: extra.cwd ?? tmp.dir, ...(extra.env ? { env: extra.env } : {}) })

function audit(): string[] {
  const log = readFileSync(path.join(kms.dataDir, 'audit.log'), 'utf8').trim().split('\n').filter(Boolean)
  return log.map((l) => (JSON.parse(l) as { action: string }).action)
}
const since = (n: number) => audit().slice(n)

async function decrypt(name: string): Promise<unknown> {
  const r = await cli(['decrypt', name], 'runtime')
  expect(r.stderr).toBe('')
  return JSON.parse(r.stdout)
}

describe('kms-secrets init / encrypt / edit / rekey / rotate with a project key', () => {
  it('init writes kms-secrets.json with DescribeKey + Encrypt, and refuses to overwrite it', async () => {
    const n = audit().length
    const r = await cli(['init', '--key-id', keyA, '--context', 'app=api'])
    expect(r.stderr).toContain('kms-secrets.json')
    expect(r.code).toBe(0)
    expect(since(n)).toEqual(['DescribeKey', 'Encrypt'])
    expect(JSON.parse(read('kms-secrets.json'))).toMatchObject({
      kmsSecretsProject: 1,
      keyId: keyA,
      keyUsage: 'ENCRYPT_DECRYPT',
      wrappedKey: { alg: 'KMS' },
      context: { app: 'api' },
    })
    const again = await cli(['init', '--key-id', keyA])
    expect(again.code).toBe(26)
    expect(since(n)).toHaveLength(2)
  })

  it('encrypt -i seals offline in a subdirectory: no credentials, no --key-id, no KMS call', async () => {
    const n = audit().length
    for (const [name, value] of [
      ['app/config/db.secret.json', { password: 'pk-canary-db-1' }],
      ['app/stripe.secret.json', { token: 'pk-canary-stripe-2' }],
      ['app/config/mail.secret.json', { smtp: 'pk-canary-mail-3' }],
    ] as const) {
      write(name, JSON.stringify(value))
      const r = await cli(['encrypt', name, '-i'], null)
      expect(r.stderr).toContain('offline')
      expect(r.code).toBe(0)
      expect(read(name)).not.toContain('pk-canary')
    }
    expect(since(n)).toEqual([])
    const envs = ['app/config/db.secret.json', 'app/stripe.secret.json', 'app/config/mail.secret.json'].map(envOf)
    expect(envs[0]).toMatchObject({ kmsSecrets: 2, mode: 'project', context: { app: 'api' }, kms: { keyId: keyA } })
    expect(new Set(envs.map((e) => e.kms.blob)).size).toBe(1)
    expect(await decrypt('app/config/db.secret.json')).toEqual({ password: 'pk-canary-db-1' })
  })

  it('encrypt without --key-id and without kms-secrets.json in reach is a usage error', async () => {
    const outside = tempDir('no-project')
    writeFileSync(path.join(outside.dir, 'x.secret.json'), '{"a":"b"}')
    const r = await runCli(['encrypt', 'x.secret.json', '-i'], { endpoint: kms.endpoint, as: null, cwd: outside.dir })
    outside.cleanup()
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('kms-secrets init')
  })

  it('edit decrypts with one KMS call and re-seals offline with the project key', async () => {
    const n = audit().length
    const r = await cli(['edit', 'app/config/db.secret.json'], 'runtime', {
      env: {
        EDITOR: `node "${editor}" replace pk-canary-db-1 pk-canary-db-edited`,
        VISUAL: undefined,
        EDITOR_LOG: file('editor.log'),
      },
    })
    expect(r.stderr).toContain('re-sealed')
    expect(r.code).toBe(0)
    expect(since(n)).toEqual(['Decrypt'])
    expect(envOf('app/config/db.secret.json').mode).toBe('project')
    expect(await decrypt('app/config/db.secret.json')).toEqual({ password: 'pk-canary-db-edited' })
  })

  it('rekey moves files sealed in two data-key calls with one Decrypt per distinct blob, no plaintext on disk', async () => {
    write('app/old1.secret.json', '{"a":"pk-canary-old-1"}')
    write('app/old2.secret.json', '{"b":"pk-canary-old-2"}')
    write('app/old3.secret.json', '{"c":"pk-canary-old-3"}')
    expect(
      (
        await cli([
          'encrypt',
          'app/old1.secret.json',
          'app/old2.secret.json',
          '--key-id',
          keyB,
          '--context',
          'app=api',
          '-i',
        ])
      ).code,
    ).toBe(0)
    expect((await cli(['encrypt', 'app/old3.secret.json', '--key-id', keyB, '--context', 'app=api', '-i'])).code).toBe(
      0,
    )
    const n = audit().length
    const r = await cli(['rekey', 'app', '--json'], 'runtime')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ kmsCalls: 2 })
    expect(since(n)).toEqual(['Decrypt', 'Decrypt'])
    expect(envOf('app/old3.secret.json')).toMatchObject({ mode: 'project', kms: { keyId: keyA } })
    expect(await decrypt('app/old2.secret.json')).toEqual({ b: 'pk-canary-old-2' })
  })

  it('rotate --project-key: a new pair, every file re-sealed with one unwrap of the old key', async () => {
    const before = JSON.parse(read('kms-secrets.json'))
    const n = audit().length
    const r = await cli(['rotate', '--project-key', '--json'], 'admin')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(since(n).sort()).toEqual(['Decrypt', 'DescribeKey', 'Encrypt'])
    const after = JSON.parse(read('kms-secrets.json'))
    expect(after.publicKey).not.toBe(before.publicKey)
    expect(JSON.parse(r.stdout).files).toHaveLength(6)
    expect(envOf('app/stripe.secret.json').kms.blob).toBe(after.wrappedKey.blob)
    expect(await decrypt('app/stripe.secret.json')).toEqual({ token: 'pk-canary-stripe-2' })
  })

  it('rotate --project-key that fails writing a file leaves every file and kms-secrets.json as they were', async () => {
    // A name whose sibling temp file is too long for the file system: the write of this one file fails, even as root.
    const long = `app/${'z'.repeat(228)}.secret.json`
    write('app/long-src.secret.json', JSON.stringify({ c: 'pk-canary-long' }))
    expect((await cli(['encrypt', 'app/long-src.secret.json', '-i'])).code).toBe(0)
    renameSync(file('app/long-src.secret.json'), file(long))
    const names = ['kms-secrets.json', 'app/stripe.secret.json', 'app/old1.secret.json', 'app/old3.secret.json', long]
    const before = names.map(read)
    const r = await cli(['rotate', '--project-key'], 'admin')
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain('ERR_CLI_IO')
    expect(names.map(read)).toEqual(before)
    expect(existsSync(file('kms-secrets.json.next'))).toBe(false)
    expect(await decrypt('app/stripe.secret.json')).toEqual({ token: 'pk-canary-stripe-2' })
    rmSync(file(long))
  })

  it('rotate --project-key refuses to start while an interrupted rotation left kms-secrets.json.next', async () => {
    write('kms-secrets.json.next', read('kms-secrets.json'))
    const r = await cli(['rotate', '--project-key'], 'admin')
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('kms-secrets.json.next')
    rmSync(file('kms-secrets.json.next'))
  })

  it('rotate --project-key --key-id re-wraps under another CMK with ReEncrypt only (no Decrypt)', async () => {
    const before = JSON.parse(read('kms-secrets.json'))
    const data = envOf('app/stripe.secret.json').data
    const n = audit().length
    const r = await cli(['rotate', '--project-key', '--key-id', keyB], 'sealer')
    expect(r.code).toBe(0)
    expect(since(n)).toEqual(['DescribeKey', 'ReEncrypt'])
    const after = JSON.parse(read('kms-secrets.json'))
    expect(after).toMatchObject({ keyId: keyB, publicKey: before.publicKey })
    expect(envOf('app/stripe.secret.json')).toMatchObject({ data, kms: { keyId: keyB } })
    expect(await decrypt('app/stripe.secret.json')).toEqual({ token: 'pk-canary-stripe-2' })
    expect(await decrypt('app/old1.secret.json')).toEqual({ a: 'pk-canary-old-1' })
  })

  it('plain rotate refuses a project envelope and points at --project-key', async () => {
    const r = await cli(['rotate', 'app/stripe.secret.json'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--project-key')
  })
})

describe.each([
  ['RSA_2048', keyRsa, 'ASYMMETRIC_DECRYPT_RSA_2048', 'RSAES_OAEP_SHA_256', 'runtimeRsa', 'AsymmetricRsaDecrypt'],
  ['SM2', keySm2, 'ASYMMETRIC_DECRYPT_SM2', 'SM2', 'runtimeSm2', 'AsymmetricSm2Decrypt'],
] as const)('project key on an asymmetric %s CMK', (_kind, keyId, keyUsage, alg, runtime, action) => {
  let dir: ReturnType<typeof tempDir>
  const at = (name: string) => path.join(dir.dir, name)
  const run = (args: string[], as: IdentityName | null, env?: Record<string, string | undefined>) =>
    runCli(args, { endpoint: kms.endpoint, as, cwd: dir.dir, ...(env ? { env } : {}) })
  beforeAll(() => {
    dir = tempDir(`project-${keyUsage}`)
  })
  afterAll(() => dir?.cleanup())

  it('init needs GetPublicKey only: the private key is wrapped locally and never reaches KMS', async () => {
    const n = audit().length
    const r = await run(['init', '--key-id', keyId, '--context', 'app=api'], 'initAsym')
    expect(r.stderr).toContain('kms-secrets.json')
    expect(r.code).toBe(0)
    // DescribeKey is refused to this identity; GetPublicKey alone tells the wrap. No Encrypt, no private key sent.
    expect(since(n)).toEqual(['DescribeKey', 'GetPublicKey'])
    const file = JSON.parse(readFileSync(at('kms-secrets.json'), 'utf8'))
    expect(file).toMatchObject({ keyId, keyUsage, wrappedKey: { alg }, context: { app: 'api' } })
  })

  it('init with DescribeKey rights uses DescribeKey + GetPublicKey, the same file shape', async () => {
    const other = tempDir('project-asym-admin')
    const n = audit().length
    const r = await runCli(['init', '--key-id', keyId], { endpoint: kms.endpoint, as: 'admin', cwd: other.dir })
    const file = JSON.parse(readFileSync(path.join(other.dir, 'kms-secrets.json'), 'utf8'))
    other.cleanup()
    expect(r.code).toBe(0)
    expect(since(n)).toEqual(['DescribeKey', 'GetPublicKey'])
    expect(file).toMatchObject({ keyId, keyUsage, wrappedKey: { alg } })
  })

  it(`encrypt -i offline, then decrypt with one ${action} by an identity allowed only that`, async () => {
    writeFileSync(at('a.secret.json'), JSON.stringify({ token: `pk-canary-${alg}` }))
    writeFileSync(at('b.secret.json'), JSON.stringify({ other: `pk-canary-b-${alg}` }))
    const n = audit().length
    for (const f of ['a.secret.json', 'b.secret.json']) expect((await run(['encrypt', f, '-i'], null)).code).toBe(0)
    expect(since(n)).toEqual([])
    expect(JSON.parse(readFileSync(at('a.secret.json'), 'utf8'))).toMatchObject({
      mode: 'project',
      kms: { keyId, wrap: alg },
    })
    const r = await run(['decrypt', 'a.secret.json'], runtime)
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual({ token: `pk-canary-${alg}` })
    expect(since(n)).toEqual([action])
    // The symmetric-only runtime identity may not call the asymmetric decrypt.
    const denied = await run(['decrypt', 'b.secret.json'], 'runtime')
    expect(denied.code).not.toBe(0)
  })
})

describe('edit checks the project key before re-sealing with it (unlockProjectKey)', () => {
  let dir: ReturnType<typeof tempDir>
  const at = (name: string) => path.join(dir.dir, name)
  const run = (args: string[], as: IdentityName | null, env?: Record<string, string | undefined>) =>
    runCli(args, { endpoint: kms.endpoint, as, cwd: dir.dir, ...(env ? { env } : {}) })
  const editTo = (from: string, to: string) => ({
    EDITOR: `node "${editor}" replace ${from} ${to}`,
    VISUAL: undefined,
    EDITOR_LOG: at('editor.log'),
  })
  beforeAll(async () => {
    dir = tempDir('project-verify')
    expect((await run(['init', '--key-id', keyA], 'sealer')).code).toBe(0)
  })
  afterAll(() => dir?.cleanup())

  it('an old-style file: one Decrypt to open it, one to check the project key, then sealed with it', async () => {
    writeFileSync(at('old.secret.json'), '{"a":"pk-canary-verify-1"}')
    expect((await run(['encrypt', 'old.secret.json', '--key-id', keyB, '-i'], 'sealer')).code).toBe(0)
    const n = audit().length
    const r = await run(['edit', 'old.secret.json'], 'runtime', editTo('pk-canary-verify-1', 'pk-canary-verify-2'))
    expect(r.stderr).toContain('re-sealed')
    expect(r.code).toBe(0)
    expect(since(n)).toEqual(['Decrypt', 'Decrypt'])
    expect(JSON.parse(readFileSync(at('old.secret.json'), 'utf8'))).toMatchObject({ mode: 'project' })
  })

  it('a file of this project key: the open itself proves the key (no second call)', async () => {
    const n = audit().length
    const r = await run(['edit', 'old.secret.json'], 'runtime', editTo('pk-canary-verify-2', 'pk-canary-verify-3'))
    expect(r.code).toBe(0)
    expect(since(n)).toEqual(['Decrypt'])
  })

  it.each([
    // Symmetric wrap: the EncryptionContext carries the fingerprint, so KMS itself refuses the unwrap.
    ['symmetric', keyA, 36, 'ERR_KMS_INVALID_CIPHERTEXT'],
    // RSA wrap: nothing binds the blob to publicKey but the check itself.
    ['RSA_2048', keyRsa, 25, 'ERR_PROJECT_KEY'],
  ] as const)(
    'Precondition: a swapped publicKey in kms-secrets.json (%s CMK) is refused, the file unchanged',
    async (_k, keyId, exit, code) => {
      const mine = tempDir('project-mine')
      const other = tempDir('project-other')
      const as = { endpoint: kms.endpoint, as: 'admin' as const }
      try {
        for (const d of [mine.dir, other.dir])
          expect((await runCli(['init', '--key-id', keyId], { ...as, cwd: d })).code).toBe(0)
        const foreign = JSON.parse(readFileSync(path.join(other.dir, 'kms-secrets.json'), 'utf8')).publicKey
        const projectFile = path.join(mine.dir, 'kms-secrets.json')
        const file = JSON.parse(readFileSync(projectFile, 'utf8'))
        writeFileSync(projectFile, `${JSON.stringify({ ...file, publicKey: foreign }, null, 2)}\n`)
        const secret = path.join(mine.dir, 'new.secret.json')
        writeFileSync(secret, '{"b":"pk-canary-verify-4"}')
        const sealed = await runCli(['encrypt', 'new.secret.json', '--key-id', keyB, '-i'], { ...as, cwd: mine.dir })
        expect(sealed.code).toBe(0)
        const before = readFileSync(secret, 'utf8')
        const r = await runCli(['edit', 'new.secret.json'], {
          ...as,
          cwd: mine.dir,
          env: { ...editTo('pk-canary-verify-4', 'pk-canary-verify-5'), EDITOR_LOG: path.join(mine.dir, 'e.log') },
        })
        expect(r.stderr).toContain(code)
        expect(r.code).toBe(exit)
        expect(readFileSync(secret, 'utf8')).toBe(before)
      } finally {
        mine.cleanup()
        other.cleanup()
      }
    },
  )
})
