import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { spawnLocalKms } from '@kms-secrets/testkit/local-kms'
import { afterEach, describe, expect, it } from 'vitest'
import { portOf } from './helpers/child.js'
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
    const kms = spawnLocalKms(['--help'])
    expect(await kms.exited).toEqual({ code: 0, signal: null })
    expect(kms.stdout()).toMatch(/^Usage: local-kms/)
    for (const flag of ['--host', '--port', '--data-dir', '--seed', '--latency-ms', '--fault-rate', '--throttle-qps']) {
      expect(kms.stdout()).toContain(flag)
    }
  })

  it.each([[['--nope']], [['--port', 'abc']], [['--fault-kinds', 'meteor']], [['--fault-rate', '2']], [['extra']]])(
    'a bad command line %j exits 2 with a message on stderr',
    async (args) => {
      const kms = spawnLocalKms([...args, '--data-dir', await dataDir()])
      expect((await kms.exited).code).toBe(2)
      expect(kms.stderr()).toMatch(/^local-kms: /)
      expect(kms.stdout()).toBe('')
    },
  )

  it('prints the listening line first, serves the SDK, and exits 0 on SIGTERM', async () => {
    const dir = await dataDir()
    const seedFile = join(dir, 'seed.json')
    await writeFile(seedFile, JSON.stringify(adminSeed))
    const kms = spawnLocalKms(['--port', '0', '--data-dir', dir, '--seed', seedFile])
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
    const kms = spawnLocalKms(['--port', '0', '--data-dir', dir])
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
    const kms = spawnLocalKms(['--port', '0', '--data-dir', dir])
    expect((await kms.exited).code).toBe(1)
    expect(kms.stderr()).toContain('local-kms.json')
    expect(kms.stdout()).toBe('')
  })

  it('a port in use exits 1', async () => {
    const dir = await dataDir()
    const first = spawnLocalKms(['--port', '0', '--data-dir', dir, '--quiet'])
    const port = portOf(await first.firstLine)
    const second = spawnLocalKms(['--port', String(port), '--data-dir', await dataDir(), '--quiet'])
    expect((await second.exited).code).toBe(1)
    expect(second.stderr()).toMatch(/EADDRINUSE/)
    first.child.kill('SIGTERM')
    await first.exited
  })
})

describe('local-kms bin: where the data dir lives', () => {
  /** A temp home, state dir and project (package.json), so the default dir never touches the real home. */
  async function layout() {
    const root = await dataDir()
    const dirs = { root, home: join(root, 'home'), state: join(root, 'state'), project: join(root, 'project') }
    for (const d of [dirs.home, dirs.state, dirs.project]) await mkdir(d)
    await writeFile(join(dirs.project, 'package.json'), '{"name":"app"}')
    return dirs
  }
  const stateDefault = (state: string) => join(state, 'kms-secrets', 'local-kms')

  it.each([
    ['XDG_STATE_HOME', (d: { home: string; state: string }) => ({ HOME: d.home, XDG_STATE_HOME: d.state })],
    ['HOME only', (d: { home: string; state: string }) => ({ HOME: d.home })],
  ])('--print-data-dir prints the per-user state dir (%s) and starts nothing', async (_name, envOf) => {
    const d = await layout()
    const kms = spawnLocalKms(['--print-data-dir'], { env: envOf(d), cwd: d.project })
    expect(await kms.exited).toEqual({ code: 0, signal: null })
    const expected =
      'XDG_STATE_HOME' in envOf(d) ? stateDefault(d.state) : join(d.home, '.local', 'state', 'kms-secrets', 'local-kms')
    expect(kms.stdout()).toBe(`${expected}\n`)
    expect(await readdir(d.project)).toEqual(['package.json'])
  })

  it('without --data-dir, started in a project: data in the state dir, named on stderr, no warning', async () => {
    const d = await layout()
    const kms = spawnLocalKms(['--port', '0'], { env: { HOME: d.home, XDG_STATE_HOME: d.state }, cwd: d.project })
    portOf(await kms.firstLine)
    kms.child.kill('SIGTERM')
    expect((await kms.exited).code).toBe(0)
    const dir = stateDefault(d.state)
    expect(await readdir(dir)).toContain('local-kms.json')
    expect(kms.stderr()).toContain(`local-kms: data dir ${dir}\n`)
    expect(kms.stderr()).not.toContain('warning')
    expect(await readdir(d.project)).toEqual(['package.json'])
  })

  it('--data-dir inside the project is honoured, with one warning line naming the project and what to do', async () => {
    const d = await layout()
    const env = { HOME: d.home, XDG_STATE_HOME: d.state }
    const kms = spawnLocalKms(['--port', '0', '--data-dir', '.kms-local', '--quiet'], { env, cwd: d.project })
    portOf(await kms.firstLine)
    kms.child.kill('SIGTERM')
    expect((await kms.exited).code).toBe(0)
    expect(await readdir(join(d.project, '.kms-local'))).toContain('local-kms.json')
    const warnings = kms
      .stderr()
      .split('\n')
      .filter((l) => l.includes('warning'))
    expect(warnings).toEqual([
      `local-kms: warning: data dir ${join(d.project, '.kms-local')} is inside the project ${d.project} (it has ` +
        'package.json), where a dev server or a commit can expose its keys and credentials; use the default data dir ' +
        `${stateDefault(d.state)} (no --data-dir) or another directory outside the project.`,
    ])
    await expect(readdir(stateDefault(d.state))).rejects.toThrow()
  })

  it('a default data dir that itself lies in the project (XDG_STATE_HOME inside it) is not offered as the fix', async () => {
    const d = await layout()
    const state = join(d.project, 'state')
    const kms = spawnLocalKms(['--port', '0', '--quiet'], {
      env: { HOME: d.home, XDG_STATE_HOME: state },
      cwd: d.project,
    })
    portOf(await kms.firstLine)
    kms.child.kill('SIGTERM')
    expect((await kms.exited).code).toBe(0)
    const warnings = kms
      .stderr()
      .split('\n')
      .filter((l) => l.includes('warning'))
    expect(warnings).toEqual([
      `local-kms: warning: data dir ${stateDefault(state)} is inside the project ${d.project} (it has ` +
        'package.json), where a dev server or a commit can expose its keys and credentials; use a directory outside ' +
        'the project.',
    ])
  })

  it('--data-dir outside any project: no warning', async () => {
    const d = await layout()
    const kms = spawnLocalKms(['--port', '0', '--data-dir', join(d.root, 'kms')], {
      env: { HOME: d.home, XDG_STATE_HOME: d.state },
      cwd: d.project,
    })
    portOf(await kms.firstLine)
    kms.child.kill('SIGTERM')
    expect((await kms.exited).code).toBe(0)
    expect(await readdir(join(d.root, 'kms'))).toContain('local-kms.json')
    expect(kms.stderr()).not.toContain('warning')
  })
})
