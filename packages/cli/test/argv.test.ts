import { describe, expect, it } from 'vitest'
import {
  parseContext,
  parseNamedFile,
  protectArgv,
  resolveEditor,
  splitCommandLine,
  toList,
  toOptionalString,
  unprotect,
} from '../src/util/argv.js'

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

describe('flag helpers', () => {
  it('parseContext splits at the first =', () => {
    expect(parseContext(['app=api', 'url=a=b', 'empty='])).toEqual({ app: 'api', url: 'a=b', empty: '' })
  })
  it.each(['novalue', '=v'])('parseContext rejects %j with ERR_CONTEXT_INVALID', (pair) => {
    expect(() => parseContext([pair])).toThrow(expect.objectContaining({ code: 'ERR_CONTEXT_INVALID' }))
  })
  it('parseNamedFile needs an env-var name and a path', () => {
    expect(parseNamedFile('TLS_KEY=certs/tls.secret.pem')).toEqual(['TLS_KEY', 'certs/tls.secret.pem'])
    for (const bad of ['TLS', '=x', '1A=x', 'A B=x', 'A=']) {
      expect(() => parseNamedFile(bad)).toThrow(expect.objectContaining({ code: 'ERR_CLI_USAGE' }))
    }
  })
  it('toList / toOptionalString normalise cac values', () => {
    expect(toList(undefined)).toEqual([])
    expect(toList('a')).toEqual(['a'])
    expect(toList(['a', 2])).toEqual(['a', '2'])
    expect(toOptionalString(['a', 'b'], '--x')).toBe('b')
    expect(() => toOptionalString(true, '--x')).toThrow(expect.objectContaining({ code: 'ERR_CLI_USAGE' }))
  })
})

describe('splitCommandLine', () => {
  it.each([
    ['vim', ['vim']],
    ['  code   --wait ', ['code', '--wait']],
    ['"/Applications/Sublime Text/subl" -w', ['/Applications/Sublime Text/subl', '-w']],
    ["emacsclient -a '' -t", ['emacsclient', '-a', '', '-t']],
    ['my\\ editor --x="a b"', ['my editor', '--x=a b']],
    ['node "C:\\\\x\\\\e.mjs"', ['node', 'C:\\x\\e.mjs']],
    ['', []],
  ])('%j', (line, words) => {
    expect(splitCommandLine(line)).toEqual(words)
  })
})

describe('resolveEditor', () => {
  it('prefers $VISUAL, then $EDITOR, then vi', () => {
    expect(resolveEditor({ VISUAL: 'code --wait', EDITOR: 'nano' })).toEqual(['code', '--wait'])
    expect(resolveEditor({ EDITOR: 'nano -w' })).toEqual(['nano', '-w'])
    expect(resolveEditor({ VISUAL: ' ', EDITOR: '' })).toEqual(['vi'])
  })
})
