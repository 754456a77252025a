import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { portOf, spawnKms } from './helpers/child.js'
import { createSdkClient } from './helpers/sdk.js'
import { adminSeed, makeDataDir } from './helpers/server.js'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

async function dataDir(): Promise<string> {
  const dir = await makeDataDir()
  dirs.push(dir)
  return dir
}

describe('local-kms bin', () => {
  it('--help prints the usage and exits 0', async () => {
    const kms = spawnKms(['--help'])
    expect(await kms.exited).toEqual({ code: 0, signal: null })
    expect(kms.stdout()).toMatch(/^Usage: local-kms/)
    for (const flag of ['--host', '--port', '--data-dir', '--seed', '--latency-ms', '--fault-rate', '--throttle-qps']) {
      expect(kms.stdout()).toContain(flag)
    }
  })

  it.each([[['--nope']], [['--port', 'abc']], [['--fault-kinds', 'meteor']], [['--fault-rate', '2']], [['extra']]])(
    'a bad command line %j exits 2 with a message on stderr',
    async (args) => {
      const kms = spawnKms([...args, '--data-dir', await dataDir()])
      expect((await kms.exited).code).toBe(2)
      expect(kms.stderr()).toMatch(/^local-kms: /)
      expect(kms.stdout()).toBe('')
    },
  )

  it('prints the listening line first, serves the SDK, and exits 0 on SIGTERM', async () => {
    const dir = await dataDir()
    const seedFile = join(dir, 'seed.json')
    await writeFile(seedFile, JSON.stringify(adminSeed))
    const kms = spawnKms(['--port', '0', '--data-dir', dir, '--seed', seedFile])
    const port = portOf(await kms.firstLine)
    const sdk = createSdkClient(port)
    try {
      expect((await sdk.call('CreateKey', { Alias: 'from-cli' })).KeyState).toBe('Enabled')
    } finally {
      sdk.close()
    }
    kms.child.kill('SIGTERM')
    expect(await kms.exited).toEqual({ code: 0, signal: null })
    expect(kms.stdout()).toBe(`local-kms listening on http://127.0.0.1:${port}\n`)
  })

  it('without identities writes admin-identity.json, names it on stderr (never the key), exits 0 on SIGINT', async () => {
    const dir = await dataDir()
    const kms = spawnKms(['--port', '0', '--data-dir', dir])
    const port = portOf(await kms.firstLine)
    const credential = JSON.parse(await readFile(join(dir, 'admin-identity.json'), 'utf8'))
    expect(kms.stderr()).toContain(join(dir, 'admin-identity.json'))
    expect(kms.stderr() + kms.stdout()).not.toContain(credential.secretKey)
    const sdk = createSdkClient(port, credential)
    try {
      expect((await sdk.call('ListKeys')).TotalCount).toBe(0)
    } finally {
      sdk.close()
    }
    kms.child.kill('SIGINT')
    expect((await kms.exited).code).toBe(0)
  })

  it('a corrupted data dir exits 1 with a clear message', async () => {
    const dir = await dataDir()
    await writeFile(join(dir, 'local-kms.json'), 'garbage')
    const kms = spawnKms(['--port', '0', '--data-dir', dir])
    expect((await kms.exited).code).toBe(1)
    expect(kms.stderr()).toContain('local-kms.json')
    expect(kms.stdout()).toBe('')
  })

  it('a port in use exits 1', async () => {
    const dir = await dataDir()
    const first = spawnKms(['--port', '0', '--data-dir', dir, '--quiet'])
    const port = portOf(await first.firstLine)
    const second = spawnKms(['--port', String(port), '--data-dir', await dataDir(), '--quiet'])
    expect((await second.exited).code).toBe(1)
    expect(second.stderr()).toMatch(/EADDRINUSE/)
    first.child.kill('SIGTERM')
    await first.exited
  })
})
