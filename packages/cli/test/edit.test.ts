import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunOptions, runCli, tempDir } from './helpers/cli.js'
import { filesContaining } from './helpers/files.js'
import { keyB, startTestKms, type TestKms } from './helpers/kms.js'
import { sealFixture } from './helpers/seal.js'

const editor = fileURLToPath(new URL('./fixtures/editor.mjs', import.meta.url))
const db = { host: 'db.internal', password: 'edit-canary-pw-31d0' }
let kms: TestKms
let tmp: ReturnType<typeof tempDir>
let original: string
const sealed = () => path.join(tmp.dir, 'db.secret.json')
const log = () => path.join(tmp.dir, 'editor.log')

beforeAll(async () => {
  kms = await startTestKms()
  tmp = tempDir('edit')
  await sealFixture(tmp.dir, 'db.secret.json', JSON.stringify(db), {
    endpoint: kms.endpoint,
    keyId: keyB,
    extra: ['--context', 'env=test'],
  })
  original = readFileSync(sealed(), 'utf8')
})
afterAll(async () => {
  await kms?.close()
  tmp?.cleanup()
})

function edit(mode: string, opts: { onSpawn?: RunOptions['onSpawn']; file?: string } = {}) {
  return runCli(['edit', opts.file ?? 'db.secret.json'], {
    endpoint: kms.endpoint,
    cwd: tmp.dir,
    env: { EDITOR: `node "${editor}" ${mode}`, VISUAL: undefined, EDITOR_LOG: log() },
    ...(opts.onSpawn ? { onSpawn: opts.onSpawn } : {}),
  })
}

/** The editor saw a 0600 file in a 0700 dir, and neither exists any more; no plaintext left in /dev/shm. */
function expectNoTempLeft(): void {
  const lines = readFileSync(log(), 'utf8').trim().split('\n')
  const seen = JSON.parse(lines.at(-1)!) as { file: string; fileMode: number; dirMode: number }
  expect(seen.fileMode).toBe(0o600)
  expect(seen.dirMode).toBe(0o700)
  if (existsSync('/dev/shm')) expect(seen.file.startsWith('/dev/shm/')).toBe(true)
  expect(existsSync(seen.file)).toBe(false)
  expect(existsSync(path.dirname(seen.file))).toBe(false)
  if (existsSync('/dev/shm')) expect(filesContaining('/dev/shm', ['edit-canary'])).toEqual([])
}

describe('edit', () => {
  it('unchanged → nothing is rewritten', async () => {
    const r = await edit('noop')
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/no changes/)
    expect(readFileSync(sealed(), 'utf8')).toBe(original)
    expectNoTempLeft()
  })

  it('an editor exiting 1 → ERR_CLI_EDITOR (4), the file untouched, no temp file left', async () => {
    const r = await edit('fail')
    expect(r.code).toBe(4)
    expect(readFileSync(sealed(), 'utf8')).toBe(original)
    expectNoTempLeft()
  })

  it('malformed JSON after editing → ERR_SECRET_PARSE (20) with line/column, nothing kept', async () => {
    const r = await edit('malformed')
    expect(r.code).toBe(20)
    expect(r.stderr).toMatch(/db\.secret\.json:\d+:\d+/)
    expect(r.stderr).not.toContain('edit-canary')
    expect(readFileSync(sealed(), 'utf8')).toBe(original)
    expectNoTempLeft()
  })

  it('SIGTERM while the editor runs → exit 143, temp dir removed, file untouched', async () => {
    const lines = () => (existsSync(log()) ? readFileSync(log(), 'utf8').trim().split('\n').length : 0)
    const before = lines()
    const r = await edit('hang', {
      onSpawn: (child) => {
        const wait = setInterval(() => {
          if (lines() > before) {
            clearInterval(wait)
            child.kill('SIGTERM')
          }
        }, 20)
      },
    })
    expect(r.code).toBe(143)
    expect(readFileSync(sealed(), 'utf8')).toBe(original)
    expectNoTempLeft()
  })

  it('a changed value is re-sealed with the same key, context and id, atomically', async () => {
    const r = await edit(`replace ${db.password} edit-canary-changed-42`)
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/re-sealed/)
    const next = JSON.parse(readFileSync(sealed(), 'utf8'))
    const before = JSON.parse(original)
    expect(next).toMatchObject({ id: before.id, context: { env: 'test' }, kms: { keyId: keyB } })
    expect(next.data).not.toBe(before.data)
    expect(readFileSync(sealed(), 'utf8')).not.toContain('edit-canary')
    const dec = await runCli(['decrypt', 'db.secret.json', '--extract', 'password'], {
      endpoint: kms.endpoint,
      as: 'runtime',
      cwd: tmp.dir,
    })
    expect(dec.stdout).toBe('edit-canary-changed-42\n')
    expectNoTempLeft()
    expect(filesContaining(tmp.dir, ['edit-canary'])).toEqual([])
  })

  it('a missing editor → ERR_CLI_EDITOR (4); a plaintext file → 10', async () => {
    const r = await runCli(['edit', 'db.secret.json'], {
      endpoint: kms.endpoint,
      cwd: tmp.dir,
      env: { EDITOR: 'no-such-editor-xyz', VISUAL: undefined },
    })
    expect(r.code).toBe(4)
    const p = await edit('noop', { file: 'editor.log' })
    expect(p.code).toBe(10)
  })
})
