import { randomBytes } from 'node:crypto'
import { readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isRunning, makeDataDir, type RunningKms, startLocalKmsProcess } from '@kms-secrets/testkit/local-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFigures, scaled } from './support/figures.js'
import { newIdentity } from './support/kms.js'
import { rawCall } from './support/tc3.js'
import { makeWorkDir } from './support/work.js'

const figures = createFigures('durability')
const cycles = scaled(40)
const admin = newIdentity('Admin')
const work = makeWorkDir('durability')
const seedFile = join(work.dir, 'seed.json')
const dataDir = makeDataDir('durability')

/** What the clients were told succeeded (acknowledged), per key. */
interface KeyFacts {
  rotations: number
  /** Every alias sent in an UpdateAlias (in order) and the index of the last acknowledged one. */
  aliases: string[]
  ackedAlias: number
  /** Blob → plaintext (base64) of every acknowledged Encrypt. */
  blobs: Map<string, string>
  aliasBusy: boolean
}
const keys = new Map<string, KeyFacts>()
let sequence = 0

beforeAll(() => {
  writeFileSync(seedFile, JSON.stringify({ identities: [{ ...admin, allow: ['*'], keys: ['*'] }] }))
})
afterAll(() => {
  figures.write()
  rmSync(dataDir, { recursive: true, force: true })
  work.remove()
})

const call = (port: number, action: string, params: Record<string, unknown>) =>
  rawCall(port, { action, params, who: admin })

/** The version inside a local-kms blob header (`LK` | 0x01 | uint32 version | …, packages/local-kms/src/keys/blob.ts). */
function blobVersion(blob: string): number {
  return Buffer.from(blob.split('-k-')[0]!, 'base64').readUInt32BE(3)
}

/** One random operation; records it only if the server acknowledged it. */
async function operate(port: number): Promise<void> {
  const known = [...keys.keys()]
  const pick = known[Math.floor(Math.random() * known.length)]
  const roll = Math.random()
  if (known.length < 3 || roll < 0.35) {
    const alias = `dur-${++sequence}`
    const res = await call(port, 'CreateKey', { Alias: alias })
    if (res.code === 'OK') {
      const keyId = res.json.Response!.KeyId as string
      keys.set(keyId, { rotations: 0, aliases: [alias], ackedAlias: 0, blobs: new Map(), aliasBusy: false })
      figures.add('ackedCreateKey')
    }
  } else if (roll < 0.55) {
    const res = await call(port, 'RotateKey', { KeyId: pick })
    if (res.code === 'OK') {
      keys.get(pick!)!.rotations++
      figures.add('ackedRotateKey')
    }
  } else if (roll < 0.75 && !keys.get(pick!)!.aliasBusy) {
    const facts = keys.get(pick!)!
    const alias = `dur-${++sequence}`
    facts.aliases.push(alias)
    facts.aliasBusy = true
    const res = await call(port, 'UpdateAlias', { KeyId: pick, Alias: alias })
    facts.aliasBusy = false
    if (res.code === 'OK') {
      facts.ackedAlias = facts.aliases.indexOf(alias)
      figures.add('ackedUpdateAlias')
    }
  } else {
    const plaintext = randomBytes(24).toString('base64')
    const res = await call(port, 'Encrypt', { KeyId: pick, Plaintext: plaintext })
    if (res.code === 'OK') {
      keys.get(pick!)!.blobs.set(res.json.Response!.CiphertextBlob as string, plaintext)
      figures.add('ackedEncrypt')
    }
  }
}

/** Checks acknowledged facts of `ids` against a freshly restarted server; returns the number of checks made. */
async function verify(port: number, ids: string[]): Promise<number> {
  let checks = 0
  for (const keyId of ids) {
    const facts = keys.get(keyId)!
    const described = await call(port, 'DescribeKey', { KeyId: keyId })
    expect(described.code, `acknowledged key ${keyId} lost`).toBe('OK')
    const meta = described.json.Response!.KeyMetadata as { Alias: string; KeyState: string }
    expect(facts.aliases.slice(facts.ackedAlias), `alias of ${keyId}`).toContain(meta.Alias)
    expect(meta.KeyState).toBe('Enabled')
    const fresh = await call(port, 'Encrypt', { KeyId: keyId, Plaintext: 'AA==' })
    expect(fresh.code).toBe('OK')
    expect(blobVersion(fresh.json.Response!.CiphertextBlob as string)).toBeGreaterThanOrEqual(facts.rotations + 1)
    for (const [blob, plaintext] of facts.blobs) {
      const res = await call(port, 'Decrypt', { CiphertextBlob: blob })
      expect(res.json.Response?.Plaintext, `acknowledged ciphertext of ${keyId} no longer decrypts`).toBe(plaintext)
      checks++
    }
    checks += 3
  }
  return checks
}

async function start(): Promise<RunningKms> {
  const p = await startLocalKmsProcess(['--data-dir', dataDir, '--seed', seedFile])
  if (!isRunning(p)) throw new Error(`local-kms did not restart (exit ${p.code}): ${p.stderr.slice(0, 500)}`)
  return p
}

function sampleOf<T>(items: T[], n: number): T[] {
  return [...items].sort(() => Math.random() - 0.5).slice(0, n)
}

describe(`kill -9 during CreateKey / RotateKey / UpdateAlias / Encrypt load, ${cycles} cycles`, () => {
  it('every acknowledged key, alias, rotation and ciphertext survives; every restart loads the store', async () => {
    let checks = 0
    for (let cycle = 0; cycle < cycles; cycle++) {
      const server = await start()
      checks += await verify(server.port, sampleOf([...keys.keys()], 6))
      let killed = false
      const workers = Array.from({ length: 4 }, async () => {
        while (!killed) await operate(server.port).catch(() => undefined)
      })
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 230))
      await server.kill9()
      killed = true
      await Promise.all(workers)
      const leftovers = readdirSync(join(dataDir, 'keys')).filter((f) => f.startsWith('.tmp-')).length
      if (leftovers > 0) figures.add('killsThatLeftATempFile')
      figures.add('restartsSurvived')
    }
    const server = await start()
    try {
      checks += await verify(server.port, [...keys.keys()])
      const listed = await call(server.port, 'ListKeys', { Limit: 200 })
      expect(Number(listed.json.Response!.TotalCount)).toBeGreaterThanOrEqual(keys.size)
    } finally {
      await server.stop()
    }
    figures.set('cycles', cycles)
    figures.set('keysVerifiedAtEnd', keys.size)
    figures.set('checksAfterRestarts', checks)
  }, 600_000)
})
