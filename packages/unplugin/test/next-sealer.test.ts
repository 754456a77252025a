import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import process from 'node:process'
import { afterAll, afterEach, describe, expect, test } from 'vitest'
import {
  ancestorPids,
  prebuildSecretModules,
  sealedByAncestor,
  sealerMarker,
  sealerPidVar,
} from '../src/core/next/prebuild'

const saved = process.env[sealerPidVar]
afterEach(() => {
  if (saved === undefined) delete process.env[sealerPidVar]
  else process.env[sealerPidVar] = saved
})

describe('KMS_SECRETS_NEXT_SEALER_PID only counts in a child of the sealing build of the same root', () => {
  const root = '/srv/app'
  const ancestors = () => [4242, 77, 1]

  test('a worker of the sealing build (sealer is an ancestor, same root) does not seal', () => {
    expect(sealedByAncestor(sealerMarker(4242, root), root, ancestors)).toBe(true)
    expect(sealedByAncestor(sealerMarker(77, root), root, ancestors)).toBe(true)
  })

  test.each([
    ['unset', undefined],
    ['a bare pid (old format, or set by hand in a shell)', '4242'],
    ['malformed JSON', '{"pid":4242'],
    ['a pid that is no ancestor (stale, from a shell)', sealerMarker(999_999, root)],
    ['this very process', sealerMarker(process.pid, root)],
    ['another project built further up the process tree', sealerMarker(4242, '/srv/other')],
    ['a pid that is not an integer', JSON.stringify({ pid: '4242', root })],
  ])('%s: no sealer of ours', (_, marker) => {
    expect(sealedByAncestor(marker, root, ancestors)).toBe(false)
  })

  test('the ancestry read from the system starts with the parent and holds a real child its parent', () => {
    expect(ancestorPids()[0]).toBe(process.ppid)
    const script = `
      const { readFileSync } = require('node:fs')
      const s = readFileSync('/proc/' + process.pid + '/stat', 'utf8')
      console.log(Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]))`
    if (process.platform !== 'linux') return
    expect(Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }))).toBe(process.pid)
  })
})

describe('prebuildSecretModules with an inherited variable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kms-next-sealer-'))
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n')
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const plugin = { root: dir, dts: false, keyId: 'kms-00000000' }

  test('a stale variable from the shell (the parent pid, no root) does not skip the prebuild', async () => {
    process.env[sealerPidVar] = String(process.ppid)
    const build = prebuildSecretModules(plugin)
    expect(build).toBeDefined()
    expect((await build)?.modules).toEqual({})
    expect(process.env[sealerPidVar]).toBe(sealerMarker(process.pid, dir))
  })

  test("a sealing build's marker naming this process's parent and this root skips it (a worker)", () => {
    process.env[sealerPidVar] = sealerMarker(process.ppid, dir)
    expect(prebuildSecretModules(plugin)).toBeUndefined()
  })

  test("the same marker for another root does not (another project's build up the tree)", () => {
    process.env[sealerPidVar] = sealerMarker(process.ppid, join(dir, 'elsewhere'))
    expect(prebuildSecretModules(plugin)).toBeDefined()
  })
})
