import { describe, expect, it } from 'vitest'
import { collectLeaves, createLeakScanner } from '../src/index.js'

const secret = 'pa$$"w0rd/é+long?'
const scanner = createLeakScanner([
  { file: 'db.secret.json', value: { db: { password: secret, port: 5432 }, list: ['short', 1234567] } },
  { file: 'tls.secret.pem', value: '-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----\n' },
])

describe('collectLeaves', () => {
  it('lists long-enough string/number leaves with JSON paths', () => {
    expect(collectLeaves({ a: { b: 'abcdefg', c: 'abc' }, n: [1234567], 'x-y': 'zzzzzz' })).toEqual([
      { path: '$.a.b', value: 'abcdefg' },
      { path: '$.n[0]', value: '1234567' },
      { path: '$["x-y"]', value: 'zzzzzz' },
    ])
  })
  it('splits text secrets into lines', () => {
    const leaves = collectLeaves('line-one-long\nline-two-long\n')
    expect(leaves.map((l) => l.path)).toEqual(['$', '$[line 1]', '$[line 2]'])
  })
})

describe('createLeakScanner', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64')
  it.each([
    ['raw', `const x = "${secret}"`],
    ['json-escaped', JSON.stringify({ s: secret })],
    ['base64', `data:${b64(secret)}`],
    ['base64', `blob=${b64(`xy${secret}trailing`)}`],
    ['base64', `blob=${b64(`x${secret}`)}`],
    ['base64url', b64(`?${secret}`).replace(/\+/g, '-').replace(/\//g, '_')],
    ['hex', Buffer.from(secret).toString('hex').toUpperCase()],
    ['url-encoded', `?p=${encodeURIComponent(secret)}`],
    ['unicode-escaped', [...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')],
  ])('finds %s', (encoding, content) => {
    const hits = scanner.scan(content, 'out.js')
    expect(hits).toContainEqual({ asset: 'out.js', file: 'db.secret.json', path: '$.db.password', encoding })
    expect(JSON.stringify(hits)).not.toContain(secret)
  })
  it.each([
    ['base64 inside base64', `data:application/json;base64,${b64(`{"x":"data:text/plain;base64,${b64(secret)}"}`)}`],
    [
      'every byte percent-encoded',
      `url(data:text/plain,${[...Buffer.from(secret)].map((c) => `%${c.toString(16)}`).join('')})`,
    ],
    ['a base64 payload without media type', `'data:;base64,${b64(`\u0000${secret}`)}'`],
  ])('decodes data: URLs (%s) and finds the value in the payload', (_what, content) => {
    const hits = scanner.scan(content, 'out.css')
    expect(hits).toContainEqual({
      asset: 'out.css',
      file: 'db.secret.json',
      path: '$.db.password',
      encoding: 'data-url',
    })
  })
  it('searches given leaves instead of the value (a whole file text)', () => {
    const file = createLeakScanner([{ file: 'x.secret.json', leaves: [{ path: '$', value: '{"pin":"4821"}' }] }])
    const hits = file.scan(`u="data:application/json;base64,${b64('{"pin":"4821"}')}"`, 'a.js')
    expect([...new Set(hits.map((h) => h.path))]).toEqual(['$'])
    expect(hits.map((h) => h.encoding)).toContain('data-url')
  })
  it('finds a line of a PEM and numbers; ignores short values', () => {
    const hits = scanner.scan(Buffer.from('x MIIEvQIBADANBgkqhkiG9w0BAQEFAASC y 1234567 short'), 'a.map')
    expect(hits.map((h) => h.path).sort()).toEqual(['$.list[1]', '$[line 2]'])
  })
  it('does not search for PEM armor lines, which code legitimately contains', () => {
    expect(scanner.scan("if (pem.startsWith('-----BEGIN KEY-----')) parse('-----END KEY-----')", 'a.js')).toEqual([])
  })
  it('is clean on unrelated content', () => {
    expect(scanner.scan('nothing to see here '.repeat(1000), 'x.js')).toEqual([])
  })
})

describe('createLeakScanner at scale', () => {
  it('scans a 4 MB asset for 300 secrets (~6000 needles) in linear time', () => {
    const secrets = Array.from({ length: 300 }, (_, i) => ({
      file: `s${i}.secret.json`,
      value: { password: `pw-${i}-${'x'.repeat(i % 17)}-tail`, token: `tok_${i.toString(36)}_abcdef` },
    }))
    const big = createLeakScanner(secrets)
    expect(big.size).toBeGreaterThan(3000)
    const filler = 'function f(a,b){return a+b}\n'.repeat(150_000)
    const content = `${filler}const leaked = "${Buffer.from('pw-42-xxxxxxxx-tail').toString('hex')}";\n${filler}`
    const start = performance.now()
    const hits = big.scan(content, 'main.js')
    const ms = performance.now() - start
    expect(hits).toEqual([{ asset: 'main.js', file: 's42.secret.json', path: '$.password', encoding: 'hex' }])
    expect(ms).toBeLessThan(5000)
  })
})

describe('values with a lone surrogate', () => {
  it('are searched for (raw and URL-encoded), never a URIError', () => {
    const odd = 'pin-\uD83D-tail-value'
    const s = createLeakScanner([{ file: 'odd.secret.json', value: { odd } }])
    expect(s.scan(`x = "${odd}"`, 'a.js').length).toBeGreaterThan(0)
    expect(s.scan(`u = ${encodeURIComponent('pin-\uFFFD-tail-value')}`, 'a.js').length).toBeGreaterThan(0)
    expect(s.scan('nothing here', 'a.js')).toEqual([])
  })
})
