import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, spawnCli, tempDir } from './helpers/cli.js'
import { keyA, startCliKms, type TestKms } from './helpers/kms.js'
import { sdkEncrypt } from './helpers/sdk.js'

let kms: TestKms
let tmp: ReturnType<typeof tempDir>
/** In this process; `spawn` runs the real bin (stdin then is a pipe into a process). */
const cli = (
  args: string[],
  opts: { as?: 'admin' | 'sealer' | 'runtime' | null; input?: string; spawn?: boolean } = {},
) =>
  (opts.spawn ? spawnCli : runCli)(args, {
    endpoint: kms.endpoint,
    as: opts.as === undefined ? 'runtime' : opts.as,
    cwd: tmp.dir,
    ...(opts.input ? { input: opts.input } : {}),
  })

beforeAll(async () => {
  kms = await startCliKms()
  tmp = tempDir('wrap')
})
afterAll(async () => {
  await kms?.dispose()
  tmp?.cleanup()
})

describe('wrap', () => {
  it('turns an SDK Encrypt blob into a direct envelope without any KMS call (no credentials needed)', async () => {
    const blob = await sdkEncrypt(kms.endpoint, keyA, '{"password":"wrap-canary-pw-4e"}')
    const r = await cli(
      [
        'wrap',
        '--blob',
        blob,
        '--format',
        'json',
        '--key-id',
        keyA,
        '--region',
        'ap-shanghai',
        '--id',
        'db.secret.json',
      ],
      { as: null },
    )
    expect(r.code).toBe(0)
    const env = JSON.parse(r.stdout)
    expect(env).toMatchObject({ kmsSecrets: 2, alg: 'KMS', mode: 'direct', id: 'db.secret.json', format: 'json' })
    expect(env.kms).toEqual({ provider: 'tencent', region: 'ap-shanghai', keyId: keyA, blob })
    // A blob without an encryption context is not bound to its file: say so.
    expect(r.stderr).toMatch(/no encryption context/)
  })

  it('--blob - reads stdin; -o names the id; the result decrypts with a Decrypt-only identity', async () => {
    const blob = await sdkEncrypt(kms.endpoint, keyA, 'wrap-canary-text-5f\n')
    const r = await cli(['wrap', '--blob', '-', '--format', 'text', '-o', 'note.secret.txt'], {
      input: `${blob}\n`,
      spawn: true,
    })
    expect(r.code).toBe(0)
    expect(JSON.parse(readFileSync(path.join(tmp.dir, 'note.secret.txt'), 'utf8')).id).toBe('note.secret.txt')
    const dec = await cli(['decrypt', 'note.secret.txt'])
    expect(dec.stdout).toBe('wrap-canary-text-5f\n')
  })

  it('a blob encrypted with an EncryptionContext needs the same --context pairs', async () => {
    const blob = await sdkEncrypt(kms.endpoint, keyA, '{"token":"wrap-canary-ctx-6a"}', '{"app":"api"}')
    expect(
      (await cli(['wrap', '--blob', blob, '--format', 'json', '--context', 'app=api', '-o', 'ctx.secret.json'])).code,
    ).toBe(0)
    const dec = await cli(['decrypt', 'ctx.secret.json', '--extract', '$.token'])
    expect(dec.stdout).toBe('wrap-canary-ctx-6a\n')
    expect((await cli(['wrap', '--blob', blob, '--format', 'json', '-o', 'noctx.secret.json'])).code).toBe(0)
    const bad = await cli(['decrypt', 'noctx.secret.json'])
    expect(bad.code).toBe(36)
    expect(bad.stdout).toBe('')
  })

  it.concurrent.for<[string, number, string[]]>([
    ['no --blob', 2, ['wrap', '--format', 'json', '--id', 'x.secret.json']],
    ['no --format', 2, ['wrap', '--blob', 'abc', '--id', 'x.secret.json']],
    ['no --id and no -o', 2, ['wrap', '--blob', 'abc', '--format', 'json']],
    ['a bad --format', 21, ['wrap', '--blob', 'abc', '--format', 'xml', '--id', 'x.secret.json']],
    ['a blob with spaces', 2, ['wrap', '--blob', 'ab c', '--format', 'json', '--id', 'x.secret.json']],
  ])('%s → exit %s', async ([_name, code, args], { expect }) => {
    const r = await cli(args, { as: null })
    expect(r.code).toBe(code)
    expect(r.stdout).toBe('')
  })

  it('a garbage blob wraps but fails to decrypt with ERR_KMS_INVALID_CIPHERTEXT (36)', async () => {
    expect((await cli(['wrap', '--blob', 'bm90LWEtYmxvYg==', '--format', 'text', '-o', 'junk.secret.txt'])).code).toBe(
      0,
    )
    expect((await cli(['decrypt', 'junk.secret.txt'])).code).toBe(36)
  })
})
