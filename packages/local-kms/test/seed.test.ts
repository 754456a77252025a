import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startLocalKms } from '../src/index.js'
import type { Seed } from '../src/seed/seed.js'
import { createSdkClient } from './helpers/sdk.js'
import { admin, makeDataDir } from './helpers/server.js'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

async function freshDir(): Promise<string> {
  const dir = await makeDataDir()
  dirs.push(dir)
  return dir
}

const seed: Seed = {
  identities: [{ ...admin, allow: ['*'], keys: ['*'] }],
  keys: [{ keyId: 'seed-fixed-1', alias: 'fixed-one', description: 'fixed id' }, { alias: 'floating' }],
}

async function listKeys(port: number) {
  const sdk = createSdkClient(port)
  try {
    const { Keys } = await sdk.call('ListKeys', { Limit: 200 })
    const described = []
    for (const { KeyId } of Keys) described.push((await sdk.call('DescribeKey', { KeyId })).KeyMetadata)
    const blob = (await sdk.call('Encrypt', { KeyId: 'seed-fixed-1', Plaintext: 'c2VlZA==' })).CiphertextBlob
    return { described, blob }
  } finally {
    sdk.close()
  }
}

async function decryptOn(port: number, CiphertextBlob: string): Promise<string> {
  const sdk = createSdkClient(port)
  try {
    return (await sdk.call('Decrypt', { CiphertextBlob })).Plaintext
  } finally {
    sdk.close()
  }
}

describe('seed', () => {
  it('is idempotent: two starts give the same keys, no duplicates, fixed ids keep their material', async () => {
    const dataDir = await freshDir()
    const first = await startLocalKms({ dataDir, port: 0, seed, quiet: true })
    const a = await listKeys(first.port)
    await first.close()
    const second = await startLocalKms({ dataDir, port: 0, seed, quiet: true })
    const b = await listKeys(second.port)
    expect(await decryptOn(second.port, a.blob)).toBe('c2VlZA==')
    await second.close()
    expect(a.described.map((k) => [k.KeyId, k.Alias])).toEqual(b.described.map((k) => [k.KeyId, k.Alias]))
    expect(b.described).toHaveLength(2)
    expect(b.described[0]).toMatchObject({ KeyId: 'seed-fixed-1', Alias: 'fixed-one', Description: 'fixed id' })
    expect(await readdir(join(dataDir, 'keys'))).toHaveLength(2)
  })

  it('reads a seed file path, also when the file sits in the data dir', async () => {
    const dataDir = await freshDir()
    const seedPath = join(dataDir, 'seed.json')
    await writeFile(seedPath, JSON.stringify(seed))
    const kms = await startLocalKms({ dataDir, port: 0, seed: seedPath, quiet: true })
    try {
      expect((await listKeys(kms.port)).described).toHaveLength(2)
    } finally {
      await kms.close()
    }
  })

  it('re-applies the alias and description of a fixed keyId', async () => {
    const dataDir = await freshDir()
    await (await startLocalKms({ dataDir, port: 0, seed, quiet: true })).close()
    const renamed: Seed = { ...seed, keys: [{ keyId: 'seed-fixed-1', alias: 'renamed', description: 'new' }] }
    const kms = await startLocalKms({ dataDir, port: 0, seed: renamed, quiet: true })
    const sdk = createSdkClient(kms.port)
    try {
      const meta = (await sdk.call('DescribeKey', { KeyId: 'alias/renamed' })).KeyMetadata
      expect(meta).toMatchObject({ KeyId: 'seed-fixed-1', Description: 'new' })
    } finally {
      sdk.close()
      await kms.close()
    }
  })

  it('creates an admin identity when none is configured, writes it 0600 and logs only its path', async () => {
    const dataDir = await freshDir()
    const lines: string[] = []
    const kms = await startLocalKms({ dataDir, port: 0, log: (l) => lines.push(l) })
    const file = join(dataDir, 'admin-identity.json')
    const credential = JSON.parse(await readFile(file, 'utf8'))
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(lines.join('\n')).toContain(file)
    expect(lines.join('\n')).not.toContain(credential.secretKey)
    const sdk = createSdkClient(kms.port, credential)
    try {
      expect((await sdk.call('CreateKey', { Alias: 'by-admin' })).KeyState).toBe('Enabled')
    } finally {
      sdk.close()
      await kms.close()
    }
    const again: string[] = []
    await (await startLocalKms({ dataDir, port: 0, log: (l) => again.push(l) })).close()
    expect(again).toEqual([])
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(credential)
  })

  it.each([
    [{ identities: [{ secretId: 'a/b', secretKey: 'k' }] }],
    [{ identities: [{ secretId: 'AKID1', secretKey: '' }] }],
    [{ identities: [{ secretId: 'AKID1', secretKey: 'k', allow: ['Encrpyt'] }] }],
    [{ identities: [{ secretId: 'AKID1', secretKey: 'k', keys: ['bad key'] }] }],
    [{ keys: [{ alias: 'bad alias' }] }],
    [{ keys: [{ alias: 'ok', keyId: 'bad/id' }] }],
    [{ other: [] }],
    ['/nonexistent/seed.json'],
  ])('refuses an invalid seed %j with ERR_LOCAL_KMS_SEED', async (bad) => {
    const dataDir = await freshDir()
    await expect(startLocalKms({ dataDir, port: 0, seed: bad as Seed, quiet: true })).rejects.toMatchObject({
      code: 'ERR_LOCAL_KMS_SEED',
    })
  })

  it('never puts a secret key into a seed error message', async () => {
    const dataDir = await freshDir()
    const bad = { identities: [{ secretId: 'AKID1', secretKey: 'VERY-SECRET-KEY', allow: 'nope' }] }
    const error = await startLocalKms({ dataDir, port: 0, seed: bad as unknown as Seed, quiet: true }).catch((e) => e)
    expect(error.code).toBe('ERR_LOCAL_KMS_SEED')
    expect(`${error.message} ${error.hint}`).not.toContain('VERY-SECRET-KEY')
  })

  it('refuses a seed whose fixed key would take an alias held by another key', async () => {
    const dataDir = await freshDir()
    await (await startLocalKms({ dataDir, port: 0, seed, quiet: true })).close()
    const clash: Seed = { identities: seed.identities, keys: [{ keyId: 'another-id', alias: 'floating' }] }
    await expect(startLocalKms({ dataDir, port: 0, seed: clash, quiet: true })).rejects.toMatchObject({
      code: 'ERR_LOCAL_KMS_SEED',
    })
  })
})
