import { describe, expect, it } from 'vitest'
import { extractPath, parseJsonPath } from '../src/util/json-path.js'

describe('parseJsonPath', () => {
  it.each([
    ['$.db.password', ['db', 'password']],
    ['db.password', ['db', 'password']],
    ['$.hosts[0]', ['hosts', 0]],
    ['$["a.b"].c', ['a.b', 'c']],
    ["$['x']", ['x']],
    ['["db"]["password"]', ['db', 'password']],
    ['$', []],
    ['$["q\\"uote"]', ['q"uote']],
  ])('%s', (expr, steps) => {
    expect(parseJsonPath(expr)).toEqual(steps)
  })

  it.each(['$..x', 'a b', '$[x]', '$.'])('rejects %s with ERR_CLI_USAGE', (expr) => {
    expect(() => parseJsonPath(expr)).toThrow(expect.objectContaining({ code: 'ERR_CLI_USAGE' }))
  })
})

describe('extractPath', () => {
  const value = { db: { password: 'p', hosts: ['a', 'b'] }, n: 0, f: false }
  it('finds leaves and subtrees, including falsy values', () => {
    expect(extractPath(value, '$.db.hosts[1]', 'f')).toBe('b')
    expect(extractPath(value, '$.n', 'f')).toBe(0)
    expect(extractPath(value, '$.f', 'f')).toBe(false)
    expect(extractPath(value, '$.db', 'f')).toEqual(value.db)
  })
  it('a missing path → ERR_CLI_USAGE naming the path, not any value', () => {
    expect(() => extractPath(value, '$.db.user', 'db.secret.json')).toThrow(
      /db\.secret\.json has no value at \$\.db\.user/,
    )
    expect(() => extractPath(value, '$.db.password.length', 'f')).toThrow(
      expect.objectContaining({ code: 'ERR_CLI_USAGE' }),
    )
  })
})
