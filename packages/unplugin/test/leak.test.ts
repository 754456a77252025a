import { Buffer } from 'node:buffer'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createContext } from '../src/core/context'
import { createLeakTracker, leakError } from '../src/core/leak'
import { createFakeKms } from './helpers/fake-kms'
import { envelopeOf, tempProject } from './helpers/project'

// Chosen so that its base64 has '+' (base64url differs) and it needs JSON, URL and unicode escaping.
const password = 'canary?>>pass~~~wörd?>1"'
const encodings: [string, string][] = [
  ['raw', `const x = '${password}'`],
  ['json-escaped', `{"x":${JSON.stringify(password)}}`],
  ['base64', `data:application/json;base64,${Buffer.from(`prefix ${password}`).toString('base64')}`],
  ['base64url', Buffer.from(password).toString('base64url')],
  ['hex', Buffer.from(password).toString('hex')],
  ['url-encoded', `?p=${encodeURIComponent(password)}`],
  ['unicode-escaped', [...password].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')],
]

describe('createLeakTracker', () => {
  it.each(encodings)('finds a %s copy of a leaf and names asset, file and path', (encoding, content) => {
    const t = createLeakTracker()
    t.record('config/db.secret.json', { db: { password } })
    expect(t.scan([{ name: 'dist/server.js', content }])).toContainEqual({
      asset: 'dist/server.js',
      file: 'config/db.secret.json',
      path: '$.db.password',
      encoding,
    })
  })

  it('scans Uint8Array assets (source maps, binary outputs)', () => {
    const t = createLeakTracker()
    t.record('a.secret.txt', password)
    expect(
      t.scan([{ name: 'x.map', content: new TextEncoder().encode(`"sourcesContent":["${password}"]`) }]),
    ).not.toEqual([])
  })

  it('treats a value found in a dependency source as public, but only when there is a hit to confirm', () => {
    const t = createLeakTracker()
    t.record('db.secret.json', { host: 'localhost', password })
    const out = [{ name: 'server.js', content: `connect('localhost'); const p = '${password}'` }]
    let reads = 0
    const sources = () => {
      reads++
      return ["const defaultHost = 'localhost'", undefined, new TextEncoder().encode('function f() {}')]
    }
    // The SDK (public code) holds "localhost": not a leak. The password is nowhere public: still a leak.
    expect(t.scan(out, sources).map((h) => h.path)).toEqual(['$.password'])
    expect(reads).toBe(1)
    expect(t.scan([{ name: 'clean.js', content: 'nothing' }], sources)).toEqual([])
    expect(reads).toBe(1)
  })

  it('ignores listed JSON paths, for every file or one file', () => {
    const t = createLeakTracker(['$.host', 'b.secret.json#$.user'])
    t.record('a.secret.json', { host: 'db.internal.example', user: 'shop_app_user' })
    t.record('b.secret.json', { host: 'db.internal.example', user: 'shop_app_user' })
    const hits = t.scan([{ name: 'out.js', content: 'db.internal.example shop_app_user' }])
    expect(hits.map((h) => `${h.file}#${h.path}`)).toEqual(['a.secret.json#$.user'])
  })

  it('forgets the values on clear()', () => {
    const t = createLeakTracker()
    t.record('a.secret.json', { password })
    expect(t.scan([{ name: 'o.js', content: password }])).toHaveLength(1)
    t.clear()
    expect(t.scan([{ name: 'o.js', content: password }])).toEqual([])
  })
})

describe('leakError', () => {
  it('names asset, file, path and encoding — never the value', () => {
    const t = createLeakTracker()
    t.record('db.secret.json', { password })
    const e = leakError(t.scan(encodings.map(([name, content]) => ({ name: `${name}.js`, content }))))
    expect(e.code).toBe('ERR_PLUGIN_LEAK')
    expect(e.message).toContain('raw.js: db.secret.json $.password (raw)')
    expect(e.message).not.toContain(password)
    expect(e.message).not.toContain(Buffer.from(password).toString('hex'))
    expect(`${e.hint}`).toContain('leakCheck.ignore')
  })
})

describe('envelope metadata is public (it is in the generated module as is)', () => {
  const region = 'ap-guangzhou'
  const secret = 'realsecret-7c1f-yaml'

  it('a value equal to the region, KeyId or a context value is no leak; the file’s other values still are', () => {
    const t = createLeakTracker()
    t.record('app.secret.yaml', { region, key: 'key-0001-abcd', app: 'shop-frontend', password: secret }, [
      'app.secret.yaml',
      'yaml',
      region,
      'key-0001-abcd',
      'shop-frontend',
    ])
    const code = `openSecret({"kms":{"region":"${region}","keyId":"key-0001-abcd"},"context":{"app":"shop-frontend"}})`
    expect(t.scan([{ name: 'server.js', content: code }])).toEqual([])
    expect(t.scan([{ name: 'server.js', content: `${code}; const p = "${secret}"` }]).map((h) => h.path)).toEqual([
      '$.password',
    ])
  })

  it('only exact values: a leaf that merely contains the region is still a leak', () => {
    const t = createLeakTracker()
    t.record('a.secret.json', { dsn: `mysql://${region}.db/x` }, [region])
    expect(t.scan([{ name: 'a.js', content: `"mysql://${region}.db/x"` }]).map((h) => h.path)).toEqual(['$.dsn'])
  })

  it('a plaintext secret sealed by the build: its region value passes, its password does not', async () => {
    const root = tempProject()
    writeFileSync(join(root, 'app.secret.yaml'), `region: ap-test\npassword: ${secret}\n`)
    const ctx = createContext(
      { root, keyId: 'key-a', provider: createFakeKms(), dts: false, runtime: '@kms-secrets/runtime' },
      { env: {} },
    )
    const { code } = await ctx.load(join(root, 'app.secret.yaml'), { sync: false })
    expect((envelopeOf(code).kms as { region: string }).region).toBe('ap-test')
    expect(ctx.scanAssets([{ name: 'server.js', content: code }])).toEqual([])
    const leaked = ctx.scanAssets([{ name: 'server.js', content: `${code}\nconsole.log("${secret}")` }])
    expect(leaked.map((h) => h.path)).toEqual(['$.password'])
  })
})
