import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { binPath, runCli, tempDir } from './helpers/cli.js'
import { identities, keyA } from './helpers/kms.js'

let tmp: ReturnType<typeof tempDir>
beforeAll(() => {
  tmp = tempDir('local-kms')
  const seed = {
    identities: [{ ...identities.admin, allow: ['*'], keys: ['*'] }],
    keys: [{ keyId: keyA, alias: 'cli-lk-a' }],
  }
  writeFileSync(path.join(tmp.dir, 'seed.json'), JSON.stringify(seed))
  writeFileSync(path.join(tmp.dir, 'db.secret.json'), '{"password":"lk-canary-1"}')
})
afterAll(() => tmp?.cleanup())

describe('kms-secrets local-kms', () => {
  it('starts the server with the local-kms flags, serves the CLI, stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        binPath,
        'local-kms',
        '--port',
        '0',
        '--data-dir',
        path.join(tmp.dir, 'data'),
        '--seed',
        path.join(tmp.dir, 'seed.json'),
        '--quiet',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    const endpoint = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        const m = /^local-kms listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out)
        if (m) resolve(m[1]!)
      })
      child.on('exit', () => reject(new Error(`local-kms exited early: ${out}`)))
    })
    try {
      const r = await runCli(['encrypt', 'db.secret.json', '--key-id', keyA, '--endpoint', endpoint], { cwd: tmp.dir })
      expect(r.stderr).toBe('')
      expect(JSON.parse(r.stdout).kms.keyId).toBe(keyA)
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
  })

  it('the data dir defaults to the per-user state dir of HOME, not the project; --data-dir overrides it', async () => {
    const env = { HOME: path.join(tmp.dir, 'home'), XDG_STATE_HOME: undefined }
    const byDefault = await runCli(['local-kms', '--print-data-dir'], { cwd: tmp.dir, env })
    expect(byDefault).toMatchObject({ code: 0, stderr: '' })
    expect(byDefault.stdout).toBe(`${path.join(tmp.dir, 'home', '.local', 'state', 'kms-secrets', 'local-kms')}\n`)
    const given = await runCli(['local-kms', '--data-dir', 'kms', '--print-data-dir'], { cwd: tmp.dir, env })
    expect(given.stdout).toBe(`${path.join(tmp.dir, 'kms')}\n`)
  })

  it('a bad flag is reported by local-kms itself with a non-zero exit', async () => {
    const r = await runCli(['local-kms', '--port', 'abc', '--data-dir', path.join(tmp.dir, 'data2')])
    expect(r.code).not.toBe(0)
  })
})
