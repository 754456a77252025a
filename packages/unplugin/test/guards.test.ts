import { describe, expect, it } from 'vitest'
import {
  checkImportQuery,
  clientBundleError,
  formatImporterChain,
  outputFormatError,
  splitId,
  supportsTopLevelAwait,
} from '../src/core/guards'

describe('splitId', () => {
  it.each([
    ['/a/db.secret.json', '/a/db.secret.json', []],
    ['/a/db.secret.json?raw', '/a/db.secret.json', ['raw']],
    ['/a/db.secret.json?import&v=abc', '/a/db.secret.json', ['import', 'v']],
    ['/a/db.secret.json#frag', '/a/db.secret.json', []],
    ['/a/db.secret.json?url#x', '/a/db.secret.json', ['url']],
  ])('%s', (id, path, query) => {
    expect(splitId(id)).toEqual({ path, query })
  })
})

describe('checkImportQuery', () => {
  it.each(['', '?import', '?v=1a2b', '?t=1700000000', '?import&t=1'])('accepts %j', (q) => {
    expect(() => checkImportQuery(`/a/db.secret.json${q}`, 'db.secret.json')).not.toThrow()
  })

  it.each([
    '?raw',
    '?url',
    '?inline',
    '?no-inline',
    '?worker',
    '?sharedworker',
    '?worker_file',
    '?init',
    '?import&raw',
  ])('refuses %j with ERR_PLUGIN_RAW_IMPORT', (q) => {
    expect(() => checkImportQuery(`/a/db.secret.json${q}`, 'db.secret.json')).toThrow(
      expect.objectContaining({ code: 'ERR_PLUGIN_RAW_IMPORT' }),
    )
  })

  it('computes the importers only when it fails', () => {
    let asked = 0
    const importers = () => {
      asked++
      return ['src/x.ts']
    }
    checkImportQuery('/a/db.secret.json', 'db.secret.json', importers)
    expect(asked).toBe(0)
    expect(() => checkImportQuery('/a/db.secret.json?raw', 'db.secret.json', importers)).toThrow(/src\/x\.ts/)
    expect(asked).toBe(1)
  })
})

describe('client guard and output format', () => {
  it('names the importer chain outermost first', () => {
    expect(formatImporterChain('db.secret.json', ['src/db.ts', 'src/main.ts'])).toBe(
      'src/main.ts → src/db.ts → db.secret.json',
    )
    const e = clientBundleError('db.secret.json', ['src/db.ts'], "esbuild platform: 'browser'")
    expect(e.code).toBe('ERR_PLUGIN_CLIENT_BUNDLE')
    expect(e.message).toContain("esbuild platform: 'browser'")
  })

  it.each([
    ['es', true],
    ['esm', true],
    ['module', true],
    ['system', true],
    [undefined, true],
    ['cjs', false],
    ['commonjs', false],
    ['iife', false],
    ['umd', false],
    ['amd', false],
  ])('top-level await in output format %s: %s', (format, ok) => {
    expect(supportsTopLevelAwait(format)).toBe(ok)
  })

  it('says what to set when the output format cannot hold top-level await', () => {
    const e = outputFormatError('cjs', ['db.secret.json'])
    expect(e.code).toBe('ERR_PLUGIN_OUTPUT_FORMAT')
    expect(e.hint).toContain("output.format: 'es'")
    expect(e.hint).toContain('sync: true')
  })
})
