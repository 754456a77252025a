import { describe, expect, it } from 'vitest'
import { protectArgv, unprotect } from '../src/util/argv.js'

describe('protectArgv / unprotect', () => {
  it.each([
    [
      ['--id', '0123'],
      ['--id', '0123'],
    ],
    [
      ['--blob', '-'],
      ['--blob', '-'],
    ],
    [
      ['a.json', '-i', '--json'],
      ['a.json', '-i', '--json'],
    ],
    [
      ['--', 'node', '42'],
      ['--', 'node', '42'],
    ],
  ])('%j round-trips', (argv, expected) => {
    expect(unprotect(protectArgv(argv))).toEqual(expected)
  })

  it('marks numeric-looking values and a lone dash, but nothing after --', () => {
    const out = protectArgv(['--id', '007', '--blob', '-', 'x', '--', '1'])
    expect(out[1]).not.toBe('007')
    expect(out[3]).not.toBe('-')
    expect(out.slice(4)).toEqual(['x', '--', '1'])
  })

  it('protects the value of --flag=value forms', () => {
    const [token] = protectArgv(['--id=1e3'])
    expect(token).not.toBe('--id=1e3')
    expect(unprotect(token!.slice('--id='.length))).toBe('1e3')
  })

  it('unprotects nested option objects', () => {
    const [a, b] = protectArgv(['1', '2'])
    expect(unprotect({ x: [a, { y: b }] })).toEqual({ x: ['1', { y: '2' }] })
  })
})
