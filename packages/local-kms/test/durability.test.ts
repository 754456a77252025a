import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { spawnLocalKms } from '@kms-secrets/testkit/local-kms'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeKeyFile } from '../src/storage/key-file.js'
import { portOf } from './helpers/child.js'
import { b64, createSdkClient, type SdkClient } from './helpers/sdk.js'
import { adminSeed, makeDataDir } from './helpers/server.js'

/** Kill cycles; raise for a soak run, e.g. LOCAL_KMS_KILL_CYCLES=300 pnpm vitest run --project local-kms durability */
const cycles = Number(process.env.LOCAL_KMS_KILL_CYCLES ?? 8)
const workers = 6

interface AckedKey {
  alias: string
  /** Aliases sent in UpdateAlias calls that got no answer (may or may not have been applied). */
  maybeAliases: Set<string>
  rotations: number
  blobs: { blob: string; plaintext: string }[]
}

const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

let counter = 0
const pick = <T>(items: T[]): T | undefined => items[Math.floor(Math.random() * items.length)]

async function createOne(sdk: SdkClient, acked: Map<string, AckedKey>): Promise<void> {
  const alias = `d-${process.pid}-${++counter}`
  const { KeyId } = await sdk.call('CreateKey', { Alias: alias })
  const entry: AckedKey = { alias, maybeAliases: new Set(), rotations: 0, blobs: [] }
  acked.set(KeyId, entry)
  const plaintext = `p-${counter}`
  entry.blobs.push({
    blob: (await sdk.call('Encrypt', { KeyId, Plaintext: b64(plaintext) })).CiphertextBlob,
    plaintext,
  })
}

async function rotateOne(sdk: SdkClient, acked: Map<string, AckedKey>): Promise<void> {
  const keyId = pick([...acked.keys()])
  if (!keyId) return
  await sdk.call('RotateKey', { KeyId: keyId })
  const entry = acked.get(keyId)!
  entry.rotations += 1
  const plaintext = `r-${++counter}`
  entry.blobs.push({
    blob: (await sdk.call('Encrypt', { KeyId: keyId, Plaintext: b64(plaintext) })).CiphertextBlob,
    plaintext,
  })
}

async function renameOne(sdk: SdkClient, acked: Map<string, AckedKey>): Promise<void> {
  const keyId = pick([...acked.keys()])
  if (!keyId) return
  const entry = acked.get(keyId)!
  const alias = `d-${process.pid}-${++counter}`
  entry.maybeAliases.add(alias)
  await sdk.call('UpdateAlias', { KeyId: keyId, Alias: alias })
  entry.maybeAliases.delete(alias)
  entry.maybeAliases.add(entry.alias)
  entry.alias = alias
}

/** Runs mutations until the server dies; every answered call is recorded as acknowledged. */
async function hammer(sdk: SdkClient, acked: Map<string, AckedKey>, stop: { done: boolean }): Promise<void> {
  while (!stop.done) {
    const r = Math.random()
    const op = r < 0.6 ? createOne : r < 0.8 ? rotateOne : renameOne
    try {
      await op(sdk, acked)
    } catch {
      return
    }
  }
}

async function verify(sdk: SdkClient, dataDir: string, acked: Map<string, AckedKey>): Promise<void> {
  for (const [keyId, entry] of acked) {
    const meta = (await sdk.call('DescribeKey', { KeyId: keyId })).KeyMetadata
    expect([entry.alias, ...entry.maybeAliases]).toContain(meta.Alias)
    for (const { blob, plaintext } of entry.blobs) {
      expect((await sdk.call('Decrypt', { CiphertextBlob: blob })).Plaintext).toBe(b64(plaintext))
    }
    const fresh = await sdk.call('Encrypt', { KeyId: keyId, Plaintext: b64('after') })
    expect((await sdk.call('Decrypt', { CiphertextBlob: fresh.CiphertextBlob })).Plaintext).toBe(b64('after'))
    const record = decodeKeyFile(await readFile(join(dataDir, 'keys', `${keyId}.json`), 'utf8'))
    expect(typeof record).not.toBe('string')
    if (typeof record !== 'string') expect(record.versions.length).toBeGreaterThanOrEqual(entry.rotations + 1)
  }
}

describe('durability under kill -9', () => {
  it(`loses no acknowledged key, rotation or alias over ${cycles} SIGKILL cycles`, {
    timeout: 20_000 + cycles * 3_000,
  }, async () => {
    const dataDir = await makeDataDir()
    dirs.push(dataDir)
    const seedFile = join(dataDir, 'seed.json')
    await writeFile(seedFile, JSON.stringify(adminSeed))
    const args = ['--port', '0', '--data-dir', dataDir, '--seed', seedFile, '--quiet']
    const acked = new Map<string, AckedKey>()
    for (let cycle = 0; cycle < cycles; cycle++) {
      const kms = spawnLocalKms(args)
      const sdk = createSdkClient(portOf(await kms.firstLine), undefined, { reqTimeout: 5 })
      const stop = { done: false }
      const running = Array.from({ length: workers }, () => hammer(sdk, acked, stop))
      await sleep(60 + Math.random() * 250)
      kms.child.kill('SIGKILL')
      await kms.exited
      stop.done = true
      await Promise.all(running)
      sdk.close()
    }
    expect(acked.size).toBeGreaterThan(cycles)
    const kms = spawnLocalKms(args)
    const sdk = createSdkClient(portOf(await kms.firstLine))
    try {
      await verify(sdk, dataDir, acked)
      expect((await sdk.call('ListKeys', { Limit: 200 })).TotalCount).toBeGreaterThanOrEqual(Math.min(acked.size, 200))
    } finally {
      sdk.close()
      kms.child.kill('SIGTERM')
    }
    expect((await kms.exited).code).toBe(0)
  })
})
