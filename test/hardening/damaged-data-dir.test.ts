import { cpSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isRunning, type RunningKms, startLocalKmsProcess } from '@kms-secrets/testkit/local-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFigures } from './support/figures.js'
import { newIdentity } from './support/kms.js'
import { rawCall } from './support/tc3.js'
import { makeWorkDir } from './support/work.js'

/** A damaged, foreign or locked local-kms data dir must stop the server at startup with a clear message. */
const figures = createFigures('damaged-data-dir')
const admin = newIdentity('Admin')
const work = makeWorkDir('damaged')
const seedFile = join(work.dir, 'seed.json')

beforeAll(() => {
  writeFileSync(seedFile, JSON.stringify({ identities: [{ ...admin, allow: ['*'], keys: ['*'] }] }))
})
afterAll(() => {
  figures.write()
  work.remove()
})

const call = (port: number, action: string, params: Record<string, unknown>) =>
  rawCall(port, { action, params, who: admin })

async function start(dir: string): Promise<RunningKms> {
  const p = await startLocalKmsProcess(['--data-dir', dir, '--seed', seedFile])
  if (!isRunning(p)) throw new Error(`local-kms did not start (exit ${p.code}): ${p.stderr.slice(0, 500)}`)
  return p
}

/** Relative path → content of every file except the lock and the audit log (what a failed start must not touch). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name
      if (e.isDirectory()) walk(path)
      else if (!['local-kms.lock', 'audit.log'].includes(path)) out[path] = readFileSync(join(dir, path), 'latin1')
    }
  }
  walk('')
  return out
}

describe('a damaged or foreign data dir is a clear startup error, never a silent empty store', () => {
  const golden = join(work.dir, 'golden')
  let keyFile = ''

  beforeAll(async () => {
    const server = await start(golden)
    await call(server.port, 'CreateKey', { Alias: 'golden-a' })
    await call(server.port, 'CreateKey', { Alias: 'golden-b' })
    await server.stop()
    keyFile = `keys/${readdirSync(join(golden, 'keys')).find((f) => f.endsWith('.json'))!}`
  })

  const edit = (dir: string, rel: string, fn: (text: string) => string) =>
    writeFileSync(join(dir, rel), fn(readFileSync(join(dir, rel), 'latin1')), 'latin1')
  const cases: [string, (dir: string) => void, () => string][] = [
    ['a truncated key file', (d) => edit(d, keyFile, (t) => t.slice(0, t.length >> 1)), () => keyFile],
    ['an empty key file', (d) => writeFileSync(join(d, keyFile), ''), () => keyFile],
    [
      'one flipped character in key material (still valid JSON)',
      (d) =>
        edit(d, keyFile, (t) =>
          t.replace(/"material": "(.)/, (_m, c: string) => `"material": "${c === 'A' ? 'B' : 'A'}`),
        ),
      () => keyFile,
    ],
    [
      'a key file renamed to another KeyId',
      (d) => renameSync(join(d, keyFile), join(d, 'keys', 'other-key-id.json')),
      () => 'keys/other-key-id.json',
    ],
    [
      'a foreign JSON file in keys/',
      (d) => writeFileSync(join(d, 'keys', 'foreign.json'), '{"hello":"world"}\n'),
      () => 'keys/foreign.json',
    ],
    [
      'a foreign non-JSON file in keys/',
      (d) => writeFileSync(join(d, 'keys', 'notes.txt'), 'hello\n'),
      () => 'keys/notes.txt',
    ],
    ['a foreign file at the top level', (d) => writeFileSync(join(d, 'backup.tar'), 'x'), () => 'backup.tar'],
    ['a truncated identities.json', (d) => edit(d, 'identities.json', (t) => t.slice(0, 40)), () => 'identities.json'],
    [
      'identities.json of another format',
      (d) => writeFileSync(join(d, 'identities.json'), '{"format":"other","data":[]}'),
      () => 'identities.json',
    ],
    ['the data-dir marker deleted while keys exist', (d) => rmSync(join(d, 'local-kms.json')), () => 'local-kms.json'],
    [
      'a corrupted data-dir marker',
      (d) => edit(d, 'local-kms.json', (t) => t.replace('data-dir@1', 'data-dir@9')),
      () => 'local-kms.json',
    ],
    [
      'a data dir that is a regular file',
      (d) => {
        rmSync(d, { recursive: true })
        writeFileSync(d, 'not a dir')
      },
      () => '',
    ],
  ]
  for (const [name, damage, named] of cases) {
    it(`${name}: non-zero exit, a message naming the file, nothing rewritten`, async () => {
      const dir = join(work.dir, `case-${cases.findIndex((c) => c[0] === name)}`)
      cpSync(golden, dir, { recursive: true })
      damage(dir)
      const before = statSync(dir).isDirectory() ? snapshot(dir) : undefined
      const result = await startLocalKmsProcess(['--data-dir', dir, '--seed', seedFile])
      if (isRunning(result)) {
        await result.kill9()
        expect.fail(`local-kms started on ${name}`)
      }
      expect(result.code).not.toBe(0)
      expect(result.stdout).not.toContain('listening')
      expect(result.stderr).toMatch(/^local-kms: /)
      if (named()) expect(result.stderr).toContain(named())
      if (before) expect(snapshot(dir)).toEqual(before)
      figures.count('damagedDataDirsRefused', name)
    })
  }

  it('a data dir in use by a live server is refused (ERR_LOCAL_KMS_LOCKED); a stale lock and temp files are not', async () => {
    const dir = join(work.dir, 'locked')
    cpSync(golden, dir, { recursive: true })
    const first = await start(dir)
    try {
      const second = await startLocalKmsProcess(['--data-dir', dir, '--seed', seedFile])
      expect(isRunning(second)).toBe(false)
      expect((second as { stderr: string }).stderr).toContain(`pid ${first.child.pid}`)
    } finally {
      await first.kill9()
    }
    writeFileSync(join(dir, 'keys', '.tmp-leftover.json-1-abc'), '{"half')
    const again = await start(dir)
    await again.stop()
    expect(readdirSync(join(dir, 'keys')).some((f) => f.startsWith('.tmp-'))).toBe(false)
    figures.add('staleLocksTakenOver')
  })
})
