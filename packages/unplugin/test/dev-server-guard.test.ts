import { mkdirSync, realpathSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createServer } from 'vite'
import { describe, expect, it } from 'vitest'
import { secretDenyGlob } from '../src/core/bundlers/vite'
import { createContext } from '../src/core/context'
import { extraDenyGlobs, filesForUrl } from '../src/core/dev-server-guard'
import { createApp } from './helpers/app'
import { viteConfig } from './helpers/builds'
import { tempProject } from './helpers/project'

const config = { root: '/app', base: '/', publicDir: '/app/public' }

describe('filesForUrl: every file vite can map a request URL to', () => {
  const cases: [url: string, file: string, cfg?: Partial<typeof config>][] = [
    ['/secrets/api.json', '/app/secrets/api.json'],
    ['/secrets/api.json?raw', '/app/secrets/api.json'],
    ['/secrets/api.json?url#x', '/app/secrets/api.json'],
    ['/api.json', '/app/public/api.json'],
    ['/%73ecrets/api%2Ejson', '/app/secrets/api.json'],
    ['/secrets/%2561pi.json', '/app/secrets/api.json'],
    ['/secrets%2Fapi.json', '/app/secrets/api.json'],
    ['/secrets/api.json%3Fraw', '/app/secrets/api.json'],
    ['/@fs/elsewhere/secrets/api.json', '/elsewhere/secrets/api.json'],
    ['/@fs%2Felsewhere%2Fapi.json', '/elsewhere/api.json'],
    ['/@id/secrets/api.json', '/app/secrets/api.json'],
    ['/@id//elsewhere/api.json', '/elsewhere/api.json'],
    ['/app/secrets/api.json', '/app/secrets/api.json', { base: '/app/' }],
    ['/app/@fs/elsewhere/api.json', '/elsewhere/api.json', { base: '/app/' }],
    ['http://localhost:5173/secrets/api.json', '/app/secrets/api.json'],
    ['/elsewhere/api.json', '/elsewhere/api.json'],
  ]
  for (const [url, file, cfg] of cases) {
    it(`${url} → ${file}`, () => {
      expect(filesForUrl(url, { ...config, ...cfg })).toContain(file)
    })
  }

  it('follows static aliases (string and RegExp)', () => {
    const alias = [
      { find: '/cfg', replacement: '/app/secrets' },
      { find: /^\/k\//, replacement: '/app/keys/' },
    ]
    const cfg = { ...config, resolve: { alias } }
    expect(filesForUrl('/cfg/api.json', cfg)).toContain('/app/secrets/api.json')
    expect(filesForUrl('/k/a.pem', cfg)).toContain('/app/keys/a.pem')
  })
})

describe('extraDenyGlobs: server.fs.deny beyond *.secret.*', () => {
  it('adds string include globs (resolved like createFilter) and the local-kms data dirs under the root', () => {
    const root = realpathSync(tempProject())
    mkdirSync(join(root, '.kms-local'))
    writeFileSync(join(root, '.kms-local', 'local-kms.json'), '{"format":"local-kms/data-dir@1"}')
    const ctx = createContext({ include: ['secrets/*.json', '**/*.vault', /\.key$/], dts: false }, { env: {} })
    expect(extraDenyGlobs(ctx, root)).toEqual([
      `${root}/secrets/*.json`,
      '**/*.vault',
      `${root}/.kms-local`,
      `${root}/.kms-local/**`,
    ])
  })

  it('adds no include glob when exclude is set (deny cannot subtract); regexes never', () => {
    const root = realpathSync(tempProject())
    const ctx = createContext({ include: ['**/*.json'], exclude: ['package.json'], dts: false }, { env: {} })
    expect(extraDenyGlobs(ctx, root)).toEqual([])
  })
})

describe("the vite plugin's server.fs.deny (setting deny replaces vite's defaults)", () => {
  it.each([
    ["no user list: keeps vite's defaults and adds the secret glob", undefined, ['.env', '.env.*', '**/.git/**']],
    ['a user list: keeps it and appends the glob', ['secret-dir/**'], ['secret-dir/**']],
  ])('%s', async (_, deny, kept) => {
    const app = createApp()
    const fs = deny ? { deny } : {}
    const server = await createServer(viteConfig(app, { server: { middlewareMode: true, ws: false, fs } }))
    try {
      expect(server.config.server.fs.deny).toEqual(expect.arrayContaining([...kept, secretDenyGlob]))
      if (deny) expect(server.config.server.fs.deny).toEqual([...deny, secretDenyGlob])
    } finally {
      await server.close()
    }
  })
})
