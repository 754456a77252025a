import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, tempDir } from './helpers/cli.js'
import { keyA, keyB, keyC, startCliKms, type TestKms } from './helpers/kms.js'
import { sdkEncrypt } from './helpers/sdk.js'

let kms: TestKms
let tmp: ReturnType<typeof tempDir>
const read = (name: string) => JSON.parse(readFileSync(path.join(tmp.dir, name), 'utf8'))
const cli = (args: string[], as: 'admin' | 'sealer' | 'runtime' = 'sealer') =>
  runCli(args, { endpoint: kms.endpoint, as, cwd: tmp.dir })
const decrypt = async (name: string) => {
  const r = await cli(['decrypt', name], 'runtime')
  expect(r.stderr).toBe('')
  return JSON.parse(r.stdout)
}

beforeAll(async () => {
  kms = await startCliKms()
  tmp = tempDir('rotate')
  writeFileSync(path.join(tmp.dir, 'plain.json'), '{}')
  writeFileSync(path.join(tmp.dir, 'a.secret.json'), '{"password":"rot-canary-a-11"}')
  writeFileSync(path.join(tmp.dir, 'b.secret.json'), '{"token":"rot-canary-b-22"}')
  const r = await cli(['encrypt', 'a.secret.json', 'b.secret.json', '--key-id', keyA, '-i', '--context', 'app=api'])
  expect(r.code).toBe(0)
})
afterAll(async () => {
  await kms?.dispose()
  tmp?.cleanup()
})

const sealedPart = (env: Record<string, unknown>) => ({
  iv: env.iv,
  data: env.data,
  tag: env.tag,
  id: env.id,
  context: env.context,
})

describe('rotate', () => {
  it('after the CMK is rotated, re-wraps to its current version: values untouched, one shared blob kept', async () => {
    const before = [read('a.secret.json'), read('b.secret.json')]
    expect((await cli(['keys', 'rotate-now', keyA], 'admin')).code).toBe(0)
    const r = await cli(['rotate', 'a.secret.json', 'b.secret.json', '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).files.map((f: { changed: boolean }) => f.changed)).toEqual([true, true])
    const after = [read('a.secret.json'), read('b.secret.json')]
    for (const [i, env] of after.entries()) {
      expect(sealedPart(env)).toEqual(sealedPart(before[i]!))
      expect(env.kms.keyId).toBe(keyA)
      expect(env.kms.blob).not.toBe(before[i]!.kms.blob)
    }
    expect(after[0].kms.blob).toBe(after[1].kms.blob)
    expect(await decrypt('a.secret.json')).toEqual({ password: 'rot-canary-a-11' })
  })

  it('--key-id moves the data key to another CMK; the old CMK is then not needed', async () => {
    const before = read('a.secret.json')
    const r = await cli(['rotate', 'a.secret.json', 'b.secret.json', '--key-id', keyB])
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(new RegExp(`re-wrapped from ${keyA} to ${keyB}`))
    const after = read('a.secret.json')
    expect(sealedPart(after)).toEqual(sealedPart(before))
    expect(after.kms.keyId).toBe(keyB)
    expect((await cli(['keys', 'disable', keyA], 'admin')).code).toBe(0)
    try {
      expect(await decrypt('a.secret.json')).toEqual({ password: 'rot-canary-a-11' })
      expect(await decrypt('b.secret.json')).toEqual({ token: 'rot-canary-b-22' })
    } finally {
      await cli(['keys', 'enable', keyA], 'admin')
    }
  })

  it('direct-mode envelopes (wrapped Encrypt blobs) are re-encrypted the same way', async () => {
    const blob = await sdkEncrypt(kms.endpoint, keyA, '{"apiKey":"rot-canary-direct-33"}')
    expect(
      (await cli(['wrap', '--blob', blob, '--format', 'json', '--key-id', keyA, '-o', 'd.secret.json'])).code,
    ).toBe(0)
    const r = await cli(['rotate', 'd.secret.json', '--key-id', keyC])
    expect(r.code).toBe(0)
    expect(read('d.secret.json')).toMatchObject({ mode: 'direct', kms: { keyId: keyC } })
    expect(await decrypt('d.secret.json')).toEqual({ apiKey: 'rot-canary-direct-33' })
  })

  it.concurrent.for<[string, number, string[]]>([
    ['no file', 2, ['rotate']],
    ['a plaintext file', 10, ['rotate', 'plain.json']],
    ['an unknown destination key', 33, ['rotate', 'a.secret.json', '--key-id', '99999999-5555-4555-8555-999999999999']],
  ])('%s → exit %s, nothing written', async ([_name, code, args], { expect }) => {
    const before = readFileSync(path.join(tmp.dir, 'a.secret.json'), 'utf8')
    const r = await cli(args)
    expect(r.code).toBe(code)
    expect(readFileSync(path.join(tmp.dir, 'a.secret.json'), 'utf8')).toBe(before)
  })

  it('a Decrypt-only identity may not ReEncrypt (32)', async () => {
    expect((await cli(['rotate', 'a.secret.json'], 'runtime')).code).toBe(32)
  })
})
