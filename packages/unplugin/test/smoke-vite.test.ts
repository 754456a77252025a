import { cpSync, existsSync, linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { build, createServer } from 'vite'
import { describe, expect, it } from 'vitest'
import { secretDenyGlob } from '../src/core/bundlers/vite'
import { canaries, createApp, expectNoPlaintext } from './helpers/app'
import { viteConfig } from './helpers/builds'

const external = ['@kms-secrets/runtime']

async function message(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e, 'expected a failure').toBeDefined()
  return String((e as Error).message)
}

describe('vite build', () => {
  it('SSR build: ciphertext only, one GenerateDataKey, source maps clean', async () => {
    const app = createApp()
    await build(
      viteConfig(app, {
        build: { ssr: 'src/server.js', outDir: 'dist', sourcemap: true, minify: false, rollupOptions: { external } },
      }),
    )
    expect(expectNoPlaintext(app.out)).toContain('await openSecret(')
    expect(app.kms.count('GenerateDataKey')).toBe(1)
  })

  it('SSR build: a plaintext copy in the output fails with ERR_PLUGIN_LEAK before anything is written', async () => {
    const app = createApp({
      'src/server.js': `import { db } from './db.js'\nexport const oops = ['${canaries[0]}', db]\n`,
    })
    const build_ = build(
      viteConfig(app, { build: { ssr: 'src/server.js', outDir: 'dist', rollupOptions: { external } } }),
    )
    const text = await message(build_)
    expect(text).toContain('ERR_PLUGIN_LEAK')
    expect(text).not.toContain(canaries[0])
    expect(existsSync(app.out)).toBe(false)
  })

  it('SSR build: ?raw import of a secret fails with ERR_PLUGIN_RAW_IMPORT', async () => {
    const app = createApp({ 'src/server.js': "import raw from './config/db.secret.json?raw'\nexport { raw }\n" })
    const text = await message(build(viteConfig(app, { build: { ssr: 'src/server.js', outDir: 'dist' } })))
    expect(text).toContain('ERR_PLUGIN_RAW_IMPORT')
  })

  it('client build: ERR_PLUGIN_CLIENT_BUNDLE with the importer chain, nothing written', async () => {
    const app = createApp({ 'index.html': '<script type="module" src="/src/server.js"></script>' })
    const text = await message(build(viteConfig(app, { build: { outDir: 'dist' } })))
    expect(text).toContain('ERR_PLUGIN_CLIENT_BUNDLE')
    expect(text).toMatch(/src\/server\.js → (src\/db\.js → )?src\/config\//)
  })
})

describe('vite publicDir', () => {
  it('refuses a secret file in publicDir (vite would copy or serve it as is)', async () => {
    const app = createApp()
    mkdirSync(join(app.root, 'public'))
    cpSync(join(app.root, 'src/config/db.secret.json'), join(app.root, 'public/db.secret.json'))
    const text = await message(build(viteConfig(app, { build: { ssr: 'src/server.js', outDir: 'dist' } })))
    expect(text).toContain('ERR_PLUGIN_LEAK')
    expect(text).toContain('public/db.secret.json')
  })

  it.each([
    ['a symlink with another name', (from: string, to: string) => symlinkSync(from, to), 'public/settings.json'],
    ['a hard link with another name', (from: string, to: string) => linkSync(from, to), 'public/settings.json'],
    [
      'a symlinked directory',
      (from: string, to: string) => symlinkSync(dirname(from), to.replace('settings.json', 'conf')),
      'public/conf',
    ],
  ])('refuses %s to a secret file in publicDir', async (_, link, named) => {
    const app = createApp()
    mkdirSync(join(app.root, 'public'))
    link(join(app.root, 'src/config/db.secret.json'), join(app.root, 'public/settings.json'))
    const text = await message(build(viteConfig(app, { build: { ssr: 'src/server.js', outDir: 'dist' } })))
    expect(text).toContain('ERR_PLUGIN_LEAK')
    expect(text).toContain(named)
  })

  it('refuses a local-kms data dir in publicDir', async () => {
    const app = createApp()
    mkdirSync(join(app.root, 'public/kms'), { recursive: true })
    writeFileSync(join(app.root, 'public/kms/local-kms.json'), JSON.stringify({ format: 'local-kms/data-dir@1' }))
    const text = await message(build(viteConfig(app, { build: { ssr: 'src/server.js', outDir: 'dist' } })))
    expect(text).toContain('ERR_PLUGIN_LEAK')
    expect(text).toContain('public/kms/local-kms.json')
  })
})

describe('vite dev server', () => {
  it('adds the secret glob to server.fs.deny and keeps the defaults', async () => {
    const app = createApp()
    const server = await createServer(viteConfig(app, { server: { middlewareMode: true, ws: false } }))
    try {
      expect(server.config.server.fs.deny).toEqual(
        expect.arrayContaining(['.env', '.env.*', '**/.git/**', secretDenyGlob]),
      )
    } finally {
      await server.close()
    }
  })

  it('keeps a user deny list and appends the glob', async () => {
    const app = createApp()
    const server = await createServer(
      viteConfig(app, { server: { middlewareMode: true, ws: false, fs: { deny: ['secret-dir/**'] } } }),
    )
    try {
      expect(server.config.server.fs.deny).toEqual(['secret-dir/**', secretDenyGlob])
    } finally {
      await server.close()
    }
  })

  it('refuses the raw file over HTTP (403), serves SSR the module, refuses the client', async () => {
    const app = createApp()
    const server = await createServer(viteConfig(app, { server: { host: '127.0.0.1', port: 0, ws: false } }))
    await server.listen()
    try {
      const address = server.httpServer?.address()
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
      const paths = ['/src/config/db.secret.json', '/src/config/db.secret.json?raw', '/src/config/db.secret.json?url']
      paths.push(`/@fs${app.root}/src/config/db.secret.json`, '/src/config/token.secret.txt?inline')
      // A backup copy of a secret is no secret file of the plugin, but holds its plaintext: the deny glob covers it.
      cpSync(join(app.root, 'src/config/db.secret.json'), join(app.root, 'src/config/db.secret.json.bak'))
      paths.push('/src/config/db.secret.json.bak', `/@fs${app.root}/src/config/db.secret.json.bak`)
      for (const path of paths) {
        const res = await fetch(base + path)
        const body = await res.text()
        expect(body).not.toContain('canary')
        expect([path, res.status]).toEqual([path, 403])
      }
      const ssr = await server.environments.ssr.transformRequest('/src/config/db.secret.json')
      expect(ssr?.code).toContain('openSecret')
      expect(ssr?.code).not.toContain('canary')
      const client = await message(server.environments.client.transformRequest('/src/config/db.secret.json'))
      expect(client).toContain('ERR_PLUGIN_CLIENT_BUNDLE')
    } finally {
      await server.close()
    }
  })
})
