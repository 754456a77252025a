import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startLocalKms } from '../src/index.js'
import { encodeCheckedJson } from '../src/storage/checked-json.js'
import { createAsymmetricKey } from './helpers/asymmetric.js'
import { createKey, createSdkClient } from './helpers/sdk.js'
import { adminSeed, makeDataDir } from './helpers/server.js'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

/** A data dir holding one key, closed again. */
async function populated(): Promise<{ dataDir: string; keyFile: string }> {
  const dataDir = await makeDataDir()
  dirs.push(dataDir)
  const kms = await startLocalKms({ dataDir, port: 0, seed: adminSeed, quiet: true })
  const sdk = createSdkClient(kms.port)
  const { keyId } = await createKey(sdk, 'dd')
  sdk.close()
  await kms.close()
  return { dataDir, keyFile: join(dataDir, 'keys', `${keyId}.json`) }
}

const start = (dataDir: string) => startLocalKms({ dataDir, port: 0, seed: adminSeed, quiet: true })

describe('data dir integrity', () => {
  it.each([
    ['truncated', (t: string) => t.slice(0, t.length / 2)],
    ['empty', () => ''],
    ['not ours', () => JSON.stringify({ hello: 'world' })],
    [
      'a flipped byte in the material',
      (t: string) => t.replace(/"material": "(.)/, (_m, c) => `"material": "${c === 'A' ? 'B' : 'A'}`),
    ],
    ['a changed state', (t: string) => t.replace('"keyState": "Enabled"', '"keyState": "Disabled"')],
  ])('refuses to start when a key file is %s', async (_name, damage) => {
    const { dataDir, keyFile } = await populated()
    await writeFile(keyFile, damage(await readFile(keyFile, 'utf8')))
    await expect(start(dataDir)).rejects.toMatchObject({ code: 'ERR_LOCAL_KMS_DATA_DIR' })
  })

  it('reads a key file written before asymmetric keys existed (no keyPair, keyUsage ENCRYPT_DECRYPT)', async () => {
    const { dataDir } = await populated()
    const old = {
      keyId: 'old-format-key',
      seq: 9,
      alias: 'old-format',
      description: '',
      createTime: 1700000000,
      keyState: 'Enabled',
      keyUsage: 'ENCRYPT_DECRYPT',
      deletionDate: 0,
      rotation: { enabled: false, rotateDays: 365, nextRotateTime: 0, lastRotateTime: 0 },
      versions: [{ version: 1, createTime: 1700000000, material: Buffer.alloc(32, 7).toString('base64') }],
    }
    await writeFile(join(dataDir, 'keys', 'old-format-key.json'), encodeCheckedJson('local-kms/key@1', old))
    const kms = await start(dataDir)
    const sdk = createSdkClient(kms.port)
    try {
      const blob = (await sdk.call('Encrypt', { KeyId: 'old-format-key', Plaintext: 'eA==' })).CiphertextBlob
      expect((await sdk.call('Decrypt', { CiphertextBlob: blob })).Plaintext).toBe('eA==')
    } finally {
      sdk.close()
      await kms.close()
    }
  })

  it('refuses an asymmetric key file that is damaged or whose key pair halves do not belong together', async () => {
    const dataDir = await makeDataDir()
    dirs.push(dataDir)
    const kms = await start(dataDir)
    const sdk = createSdkClient(kms.port)
    type Key = Awaited<ReturnType<typeof createAsymmetricKey>>
    const keys: Key[] = []
    for (const usage of ['ASYMMETRIC_DECRYPT_RSA_2048', 'ASYMMETRIC_DECRYPT_SM2'] as const) {
      keys.push(await createAsymmetricKey(sdk, usage), await createAsymmetricKey(sdk, usage))
    }
    sdk.close()
    await kms.close()
    for (const [a, b] of [keys.slice(0, 2), keys.slice(2, 4)] as [Key, Key][]) {
      const file = join(dataDir, 'keys', `${a.keyId}.json`)
      const text = await readFile(file, 'utf8')
      const flipped = text.replace(/"privateKey": "(.)/, (_m, c) => `"privateKey": "${c === 'A' ? 'B' : 'A'}`)
      await writeFile(file, flipped)
      await expect(start(dataDir)).rejects.toMatchObject({ code: 'ERR_LOCAL_KMS_DATA_DIR' })
      const { data } = JSON.parse(text)
      const mismatched = { ...data, keyPair: { ...data.keyPair, publicKey: b.publicKey } }
      await writeFile(file, encodeCheckedJson('local-kms/key@1', mismatched))
      await expect(start(dataDir)).rejects.toMatchObject({ code: 'ERR_LOCAL_KMS_DATA_DIR' })
      await writeFile(file, text)
    }
    await (await start(dataDir)).close()
  })

  it('refuses a foreign file among the keys and at the top level', async () => {
    const { dataDir } = await populated()
    await writeFile(join(dataDir, 'keys', 'notes.txt'), 'hello')
    await expect(start(dataDir)).rejects.toMatchObject({ code: 'ERR_LOCAL_KMS_DATA_DIR' })
    await rm(join(dataDir, 'keys', 'notes.txt'))
    await writeFile(join(dataDir, 'database.sqlite'), 'x')
    await expect(start(dataDir)).rejects.toMatchObject({ code: 'ERR_LOCAL_KMS_DATA_DIR' })
  })

  it('refuses a key file whose name and KeyId differ', async () => {
    const { dataDir, keyFile } = await populated()
    await writeFile(join(dataDir, 'keys', 'other-name.json'), await readFile(keyFile, 'utf8'))
    await expect(start(dataDir)).rejects.toMatchObject({ code: 'ERR_LOCAL_KMS_DATA_DIR' })
  })

  it('refuses a corrupted identities file or marker, and keys without a marker', async () => {
    const { dataDir } = await populated()
    const identities = join(dataDir, 'identities.json')
    const saved = await readFile(identities, 'utf8')
    await writeFile(identities, saved.replace('"secretKey": "', '"secretKey": "x'))
    await expect(start(dataDir)).rejects.toMatchObject({ code: 'ERR_LOCAL_KMS_DATA_DIR' })
    await writeFile(identities, saved)
    await rm(join(dataDir, 'local-kms.json'))
    await expect(start(dataDir)).rejects.toMatchObject({ code: 'ERR_LOCAL_KMS_DATA_DIR' })
  })

  it('names the file in the error and says what to do', async () => {
    const { dataDir, keyFile } = await populated()
    await writeFile(keyFile, '{')
    const error = await start(dataDir).catch((e) => e)
    expect(error.message).toContain('keys/')
    expect(error.hint).toMatch(/backup|remove|empty/)
  })

  it('starts on an empty existing directory', async () => {
    const dataDir = await makeDataDir()
    dirs.push(dataDir)
    await mkdir(join(dataDir, 'nested'), { recursive: true })
    const nested = join(dataDir, 'nested')
    await (await start(nested)).close()
    expect((await readdir(nested)).sort()).toEqual(['audit.log', 'identities.json', 'keys', 'local-kms.json'])
  })

  it('refuses a second server on the same data dir while the first runs', async () => {
    const { dataDir } = await populated()
    const first = await start(dataDir)
    try {
      await expect(start(dataDir)).rejects.toMatchObject({ code: 'ERR_LOCAL_KMS_LOCKED' })
    } finally {
      await first.close()
    }
    await (await start(dataDir)).close()
  })

  it('takes over the lock of a process that no longer exists', async () => {
    const { dataDir } = await populated()
    await writeFile(join(dataDir, 'local-kms.lock'), '999999999\n')
    await (await start(dataDir)).close()
  })
})
