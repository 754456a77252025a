import { describe, expect, it } from 'vitest'
import { parseContext, parseNamedFile, toList, toOptionalString } from '../src/util/args.js'

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
