import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeIfChangedSync } from '../src/core/dts'

const dir = mkdtempSync(join(tmpdir(), 'kms-dts-write-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('writeIfChangedSync', () => {
  const content = 'declare const value: { "ключ": string };\nexport default value;\n'
  const big = `// ${'x'.repeat(20_000)}\n${content}`

  it.each([
    ['no file', undefined, content, true],
    ['the same text (multi-byte characters)', content, content, false],
    ['a longer file starting with the content', `${content} `, content, true],
    ['a shorter file the content starts with', content.slice(0, -1), content, true],
    ['same byte length, other bytes', content.replace('value', 'VALUE'), content, true],
    ['an empty file', '', content, true],
    ['empty content over an empty file', '', '', false],
    ['empty content over a file', content, '', true],
    ['content beyond the scratch buffer, the same', big, big, false],
    ['content beyond the scratch buffer, changed', `${big}!`, big, true],
  ])('%s', (_name, existing, wanted, written) => {
    const path = join(dir, `${_name.replace(/\W+/g, '-')}.d.ts`)
    if (existing !== undefined) writeFileSync(path, existing)
    expect(writeIfChangedSync(path, wanted)).toBe(written)
    expect(readFileSync(path, 'utf8')).toBe(wanted)
    expect(writeIfChangedSync(path, wanted)).toBe(false)
  })

  it('a directory in its place: the write fails (the plugin turns it into a warning)', () => {
    const path = join(dir, 'is-a-dir.d.ts')
    mkdirSync(path)
    expect(() => writeIfChangedSync(path, content)).toThrow(/EISDIR/)
  })
})
