import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, type SpawnOptions, spawnCli, tempDir } from './helpers/cli.js'
import { filesContaining } from './helpers/files.js'
import { keyB, startCliKms, type TestKms } from './helpers/kms.js'
import { sealFixture } from './helpers/seal.js'

const editor = fileURLToPath(new URL('./fixtures/editor.mjs', import.meta.url))
const db = { host: 'db.internal', password: 'edit-canary-pw-31d0' }
let kms: TestKms
let tmp: ReturnType<typeof tempDir>
let original: string
let bin: string
const sealed = () => path.join(tmp.dir, 'db.secret.json')
const log = () => path.join(tmp.dir, 'editor.log')

beforeAll(async () => {
  kms = await startCliKms()
  tmp = tempDir('edit')
  await sealFixture(tmp.dir, 'db.secret.json', JSON.stringify(db), {
    endpoint: kms.endpoint,
    keyId: keyB,
    extra: ['--context', 'env=test'],
  })
  original = readFileSync(sealed(), 'utf8')
})
afterAll(async () => {
  await kms?.dispose()
  tmp?.cleanup()
})

/**
 * In this process (the editor's stdio piped to the run's streams); with `spawn` or `onSpawn` the real bin is spawned:
 * the editor inherits its stdio (a terminal stays one), and the test can signal it.
 */
function edit(
  mode: string,
  opts: { onSpawn?: SpawnOptions['onSpawn']; spawn?: boolean; file?: string; args?: string[] } = {},
) {
  const run = {
    endpoint: kms.endpoint,
    cwd: tmp.dir,
    env: { EDITOR: `node "${editor}" ${mode}`, VISUAL: undefined, EDITOR_LOG: log() },
  }
  const args = ['edit', opts.file ?? 'db.secret.json', ...(opts.args ?? [])]
  if (opts.onSpawn) return spawnCli(args, { ...run, onSpawn: opts.onSpawn })
  return opts.spawn ? spawnCli(args, run) : runCli(args, run)
}

interface Seen {
  file: string
  fileMode: number
  dirMode: number
  options: string[]
}

/** What the (fake) editor logged when it was last started. */
function lastSeen(): Seen {
  return JSON.parse(readFileSync(log(), 'utf8').trim().split('\n').at(-1)!) as Seen
}

/** The editor saw a 0600 file in a 0700 dir, and neither exists any more; no plaintext left in /dev/shm. */
function expectNoTempLeft(): void {
  const seen = lastSeen()
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

  it('malformed JSON → ERR_SECRET_PARSE (20); the edit is kept 0600 on /dev/shm for --resume, which re-seals it', async () => {
    const r = await edit('malformed')
    expect(r.code).toBe(20)
    expect(r.stderr).toMatch(/db\.secret\.json:\d+:\d+/)
    expect(r.stderr).not.toContain('edit-canary')
    expect(readFileSync(sealed(), 'utf8')).toBe(original)
    const seen = lastSeen()
    expect(r.stderr).toContain(`kms-secrets edit db.secret.json --resume ${seen.file}`)
    expect(r.stderr).toContain(`rm -r ${path.dirname(seen.file)}`)
    if (existsSync('/dev/shm')) expect(seen.file.startsWith('/dev/shm/kms-secrets-')).toBe(true)
    expect(statSync(seen.file).mode & 0o777).toBe(0o600)
    expect(statSync(path.dirname(seen.file)).mode & 0o777).toBe(0o700)
    expect(readFileSync(seen.file, 'utf8')).toContain('edit-canary-new-9')
    expect(filesContaining(tmp.dir, ['edit-canary-new-9'])).toEqual([])

    const resumed = await edit('fix', { args: ['--resume', seen.file] })
    expect(resumed.stderr).toMatch(/re-sealed/)
    expect(resumed.code).toBe(0)
    expect(existsSync(path.dirname(seen.file))).toBe(false)
    const dec = await runCli(['decrypt', 'db.secret.json'], { endpoint: kms.endpoint, as: 'runtime', cwd: tmp.dir })
    expect(JSON.parse(dec.stdout)).toEqual({ password: 'edit-canary-new-9', host: 'db.fixed' })
    writeFileSync(sealed(), original) // the later tests start from the original content
  })

  it.for<[string, string]>([
    ['a path outside /dev/shm', 'editor.log'],
    ['a missing path', '/dev/shm/kms-secrets-nope/db.secret.json'],
  ])('--resume %s → ERR_CLI_USAGE (2), the editor is not started', async ([, kept]) => {
    const r = await edit('noop', { args: ['--resume', kept] })
    expect(r.code).toBe(2)
    expect(readFileSync(sealed(), 'utf8')).toBe(original)
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
    const r = await edit(`replace ${db.password} edit-canary-changed-42`, { spawn: true })
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

describe('edit starts known editors without swap, backup, undo or history files', () => {
  beforeAll(() => {
    // Fake editors first on PATH: each is the scripted editor.mjs, which logs the options it was given.
    bin = path.join(tmp.dir, 'bin')
    mkdirSync(bin)
    for (const name of ['vim', 'nvim', 'vim.basic', 'emacs', 'nano', 'code', 'my-editor']) {
      const script = path.join(bin, name)
      writeFileSync(script, `#!/bin/sh\nexec "${process.execPath}" "${editor}" noop "$@"\n`, { flag: 'w' })
      chmodSync(script, 0o755)
    }
    symlinkSync('vim.basic', path.join(bin, 'vi'))
  })

  function editWith(line: string) {
    return runCli(['edit', 'db.secret.json'], {
      endpoint: kms.endpoint,
      cwd: tmp.dir,
      env: { EDITOR: line, VISUAL: undefined, EDITOR_LOG: log(), PATH: `${bin}${path.delimiter}${process.env.PATH}` },
    })
  }

  const vimOptions = ['-n', '-i', 'NONE', '-c', 'set nobackup nowritebackup noundofile noswapfile']
  it.for<[string, string[]]>([
    ['vim', vimOptions],
    ['nvim', vimOptions],
    ['vi', vimOptions], // vi → vim.basic: classified by the file it resolves to
    ['vim -p', ['-p', ...vimOptions]],
    [
      'emacs -nw',
      ['-nw', '--eval', '(setq make-backup-files nil backup-inhibited t auto-save-default nil create-lockfiles nil)'],
    ],
    ['nano -B --backupdir /var/bak -w', ['-w', '--ignorercfiles']],
    ['code', ['--wait']],
    ['code -w', ['-w']],
  ])('EDITOR=%s gets %j', async ([line, options]) => {
    const before = readFileSync(sealed(), 'utf8')
    const r = await editWith(line)
    expect(r.code).toBe(0)
    expect(lastSeen().options).toEqual(options)
    if (line.startsWith('code')) expect(r.stderr).toMatch(/^warning: .*Local History/m)
    else expect(r.stderr).not.toMatch(/warning:/)
    expect(readFileSync(sealed(), 'utf8')).toBe(before)
    expectNoTempLeft()
  })

  it('an unknown editor runs unchanged, with a warning that it may write copies elsewhere', async () => {
    const r = await editWith('my-editor --flag')
    expect(r.code).toBe(0)
    expect(lastSeen().options).toEqual(['--flag'])
    expect(r.stderr).toMatch(/^warning: the editor "my-editor" is not one kms-secrets knows/m)
  })
})
