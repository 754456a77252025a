import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startLocalKms } from '../src/index.js'
import type { Seed } from '../src/seed/seed.js'
import { rsaEncrypt, sm2Encrypt } from './helpers/asymmetric.js'
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
    [{ keys: [{ alias: 'ok', keyUsage: 'ASYMMETRIC_SIGN_VERIFY_SM2' }] }],
    [{ keys: [{ alias: 'ok', keyUsage: 3 }] }],
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

  const asymmetricSeed: Seed = {
    identities: [
      { ...admin, allow: ['*'], keys: ['*'] },
      {
        secretId: 'AKIDSEEDOPENER000001',
        secretKey: 'opener-secret-key',
        allow: ['GetPublicKey', 'AsymmetricRsaDecrypt', 'AsymmetricSm2Decrypt', 'ListKeyDetail'],
        keys: ['alias/project-rsa', 'alias/project-sm2'],
      },
    ],
    keys: [
      { keyId: 'seed-rsa-1', alias: 'project-rsa', keyUsage: 'ASYMMETRIC_DECRYPT_RSA_2048' },
      { alias: 'project-sm2', keyUsage: 'ASYMMETRIC_DECRYPT_SM2' },
      { alias: 'project-sym', keyUsage: 'ENCRYPT_DECRYPT' },
    ],
  }

  it('seeds asymmetric keys idempotently: same key pairs after a restart open what was sealed to the first', async () => {
    const dataDir = await freshDir()
    const first = await startLocalKms({ dataDir, port: 0, seed: asymmetricSeed, quiet: true })
    const sdk1 = createSdkClient(first.port)
    const rsa = (await sdk1.call('GetPublicKey', { KeyId: 'seed-rsa-1' })).PublicKey
    const sm2 = (await sdk1.call('GetPublicKey', { KeyId: 'alias/project-sm2' })).PublicKey
    const usages = (await sdk1.call('ListKeyDetail', { KeyUsage: 'ALL', OrderType: 1 })).KeyMetadatas
    sdk1.close()
    await first.close()
    expect(usages.map((m: { Alias: string; KeyUsage: string }) => [m.Alias, m.KeyUsage])).toEqual([
      ['project-rsa', 'ASYMMETRIC_DECRYPT_RSA_2048'],
      ['project-sm2', 'ASYMMETRIC_DECRYPT_SM2'],
      ['project-sym', 'ENCRYPT_DECRYPT'],
    ])
    const second = await startLocalKms({ dataDir, port: 0, seed: asymmetricSeed, quiet: true })
    const opener = createSdkClient(second.port, asymmetricSeed.identities![1]!)
    try {
      expect((await opener.call('GetPublicKey', { KeyId: 'alias/project-rsa' })).PublicKey).toBe(rsa)
      expect((await opener.call('GetPublicKey', { KeyId: 'project-sm2' })).PublicKey).toBe(sm2)
      const rsaCiphertext = rsaEncrypt(rsa, 'RSAES_OAEP_SHA_256', Buffer.from('r'))
      const rsaParams = { KeyId: 'seed-rsa-1', Ciphertext: rsaCiphertext, Algorithm: 'RSAES_OAEP_SHA_256' }
      expect((await opener.call('AsymmetricRsaDecrypt', rsaParams)).Plaintext).toBe('cg==')
      const sm2Ciphertext = sm2Encrypt(sm2, Buffer.from('s')).toString('base64')
      const sm2Params = { KeyId: 'project-sm2', Ciphertext: sm2Ciphertext }
      expect((await opener.call('AsymmetricSm2Decrypt', sm2Params)).Plaintext).toBe('cw==')
      expect((await opener.fail('AsymmetricRsaDecrypt', { ...rsaParams, KeyId: 'project-sym' })).code).toBe(
        'AuthFailure.UnauthorizedOperation',
      )
    } finally {
      opener.close()
      await second.close()
    }
    expect(await readdir(join(dataDir, 'keys'))).toHaveLength(3)
  })

  it('refuses a seed that would change the keyUsage of an existing key', async () => {
    const dataDir = await freshDir()
    await (await startLocalKms({ dataDir, port: 0, seed: asymmetricSeed, quiet: true })).close()
    for (const keys of [
      [{ keyId: 'seed-rsa-1', alias: 'project-rsa', keyUsage: 'ASYMMETRIC_DECRYPT_SM2' }],
      [{ keyId: 'seed-rsa-1', alias: 'project-rsa' }],
      [{ alias: 'project-sym', keyUsage: 'ASYMMETRIC_DECRYPT_RSA_2048' }],
    ] as Seed['keys'][]) {
      const changed: Seed = { identities: asymmetricSeed.identities, keys }
      const error = await startLocalKms({ dataDir, port: 0, seed: changed, quiet: true }).catch((e) => e)
      expect(error.code).toBe('ERR_LOCAL_KMS_SEED')
    }
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
