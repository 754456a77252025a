import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startLocalKms } from '../src/index.js'
import { b64, createKey, createSdkClient, unb64 } from './helpers/sdk.js'
import { adminSeed, makeDataDir } from './helpers/server.js'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

async function withKms<T>(dataDir: string, fn: (sdk: ReturnType<typeof createSdkClient>) => Promise<T>): Promise<T> {
  const kms = await startLocalKms({ dataDir, port: 0, seed: adminSeed, quiet: true })
  const sdk = createSdkClient(kms.port)
  try {
    return await fn(sdk)
  } finally {
    sdk.close()
    await kms.close()
  }
}

describe('persistence', () => {
  it('keeps keys, states, aliases, rotation settings and every version across restarts', async () => {
    const dataDir = await makeDataDir()
    dirs.push(dataDir)
    const before = await withKms(dataDir, async (sdk) => {
      const a = await createKey(sdk, 'p-a')
      const b = await createKey(sdk, 'p-b')
      const v1 = (await sdk.call('Encrypt', { KeyId: a.keyId, Plaintext: b64('one'), EncryptionContext: '{"f":"x"}' }))
        .CiphertextBlob
      await sdk.call('RotateKey', { KeyId: a.keyId })
      const v2 = (await sdk.call('Encrypt', { KeyId: a.keyId, Plaintext: b64('two') })).CiphertextBlob
      await sdk.call('EnableKeyRotation', { KeyId: a.keyId, RotateDays: 30 })
      await sdk.call('DisableKey', { KeyId: b.keyId })
      await sdk.call('UpdateAlias', { KeyId: b.keyId, Alias: 'p-b-renamed' })
      return { a, b, v1, v2 }
    })
    await withKms(dataDir, async (sdk) => {
      const v1 = await sdk.call('Decrypt', { CiphertextBlob: before.v1, EncryptionContext: '{"f":"x"}' })
      expect(unb64(v1.Plaintext)).toBe('one')
      expect(unb64((await sdk.call('Decrypt', { CiphertextBlob: before.v2 })).Plaintext)).toBe('two')
      await sdk.call('RotateKey', { KeyId: before.a.keyId })
      expect(unb64((await sdk.call('Decrypt', { CiphertextBlob: before.v2 })).Plaintext)).toBe('two')
      expect((await sdk.call('GetKeyRotationStatus', { KeyId: before.a.keyId })).RotateDays).toBe(30)
      const b = (await sdk.call('DescribeKey', { KeyId: 'alias/p-b-renamed' })).KeyMetadata
      expect(b).toMatchObject({ KeyId: before.b.keyId, KeyState: 'Disabled' })
      const listed = (await sdk.call('ListKeys')).Keys.map((k: { KeyId: string }) => k.KeyId)
      expect(listed).toEqual([before.a.keyId, before.b.keyId])
    })
  })

  it('writes the data dir 0700 and every file 0600, leaving no temp files', async () => {
    const dataDir = await makeDataDir()
    dirs.push(dataDir)
    await withKms(dataDir, async (sdk) => {
      await createKey(sdk, 'mode')
    })
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700)
    const files = [
      ...(await readdir(dataDir)).filter((n) => n !== 'keys'),
      ...(await readdir(join(dataDir, 'keys'))).map((n) => `keys/${n}`),
    ]
    expect(files.some((f) => f.includes('.tmp-'))).toBe(false)
    expect(files).toContain('audit.log')
    for (const file of files) expect([file, (await stat(join(dataDir, file))).mode & 0o777]).toEqual([file, 0o600])
  })

  it('deletes temp files left by a crash and loads the rest', async () => {
    const dataDir = await makeDataDir()
    dirs.push(dataDir)
    const { keyId } = await withKms(dataDir, (sdk) => createKey(sdk, 'tmp'))
    await writeFile(join(dataDir, 'keys', '.tmp-half-written.json-1-abc'), '{"format":')
    await writeFile(join(dataDir, '.tmp-identities.json-1-abc'), '')
    await withKms(dataDir, async (sdk) => {
      expect((await sdk.call('DescribeKey', { KeyId: keyId })).KeyMetadata.KeyId).toBe(keyId)
    })
    expect((await readdir(join(dataDir, 'keys'))).filter((n) => n.startsWith('.tmp-'))).toEqual([])
  })

  it('keeps no key material outside keys/ and no plaintext anywhere', async () => {
    const dataDir = await makeDataDir()
    dirs.push(dataDir)
    await withKms(dataDir, async (sdk) => {
      const { keyId } = await createKey(sdk, 'plain')
      await sdk.call('Encrypt', { KeyId: keyId, Plaintext: b64('PLAINTEXT-CANARY-123') })
    })
    for (const name of ['audit.log', 'identities.json', 'local-kms.json']) {
      const text = await readFile(join(dataDir, name), 'utf8')
      expect(text).not.toContain('PLAINTEXT-CANARY-123')
      expect(text).not.toContain(b64('PLAINTEXT-CANARY-123'))
      expect(text).not.toContain('"material"')
    }
  })
})
