import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli.js'
import { keyB, startCliKms, type TestKms } from './helpers/kms.js'

let kms: TestKms
beforeAll(async () => {
  kms = await startCliKms()
})
afterAll(async () => {
  await kms?.dispose()
})

const cli = (args: string[], as: 'admin' | 'sealer' | 'runtime' = 'admin') =>
  runCli(['keys', ...args], { endpoint: kms.endpoint, as })

describe('keys', () => {
  it('create prints the new KeyId; list, describe (text and --json) show it', async () => {
    const c = await cli(['create', '--alias', 'cli-keys-new', '--description', 'made by the cli test'])
    expect(c.code).toBe(0)
    const keyId = c.stdout.trim()
    expect(keyId).toMatch(/^[\w-]+$/)
    const l = await cli(['list', '--json'])
    expect(JSON.parse(l.stdout).keyIds).toContain(keyId)
    expect((await cli(['list'])).stdout.split('\n')).toContain(keyId)
    const d = await cli(['describe', keyId])
    expect(d.stdout).toMatch(/^Alias: +cli-keys-new$/m)
    expect(d.stdout).toMatch(/^State: +Enabled$/m)
    const dj = JSON.parse((await cli(['describe', keyId, '--json'])).stdout)
    expect(dj).toMatchObject({ keyId, alias: 'cli-keys-new', description: 'made by the cli test', keyState: 'Enabled' })
  })

  it('disable / enable / rotate-on change the key state', async () => {
    const off = await cli(['disable', keyB, '--json'])
    expect(JSON.parse(off.stdout)).toEqual({ keyId: keyB, action: 'disable', ok: true })
    expect(JSON.parse((await cli(['describe', keyB, '--json'])).stdout).keyState).toBe('Disabled')
    const on = await cli(['enable', keyB])
    expect(on.stderr).toMatch(/enabled/)
    expect(JSON.parse((await cli(['describe', keyB, '--json'])).stdout).keyState).toBe('Enabled')
    expect((await cli(['rotate-on', keyB, '--rotate-days', '30'])).code).toBe(0)
    expect(JSON.parse((await cli(['describe', keyB, '--json'])).stdout).keyRotationEnabled).toBe(true)
  })

  it.concurrent.for<[string, number, string[]]>([
    ['create without --alias', 2, ['create']],
    ['describe without KeyId', 2, ['describe']],
    ['describe an unknown key', 33, ['describe', 'ffffffff-6666-4666-8666-ffffffffffff']],
    ['an unknown action', 2, ['explode']],
  ])('%s → exit %s', async ([_name, code, args], { expect }) => {
    const r = await cli(args)
    expect(r.code).toBe(code)
  })

  it('a Decrypt-only identity may not create keys (32)', async () => {
    expect((await cli(['create', '--alias', 'nope'], 'runtime')).code).toBe(32)
  })

  it('keys --help and keys create --help', async () => {
    const r = await cli(['--help'])
    expect(r.code).toBe(0)
    for (const a of ['create', 'list', 'describe <KeyId>', 'disable <KeyId>', 'enable <KeyId>', 'rotate-on <KeyId>'])
      expect(r.stdout).toContain(a)
    const c = await cli(['create', '--help'])
    expect(c.stdout).toContain('--alias <alias>')
    expect(c.stdout).toContain('--endpoint <url>')
  })
})
