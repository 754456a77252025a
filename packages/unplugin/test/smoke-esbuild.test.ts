import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { canaries, createApp, expectNoPlaintext } from './helpers/app'
import { esbuildApp } from './helpers/builds'

async function failure(p: Promise<unknown>): Promise<string> {
  const e = (await p.then(
    () => undefined,
    (err: unknown) => err,
  )) as { errors?: { text: string }[] } | undefined
  expect(e, 'the build should have failed').toBeDefined()
  return (e?.errors ?? []).map((m) => m.text).join('\n')
}

describe('esbuild', () => {
  it('format esm: top-level await, JS loader for the .json secret, no plaintext, one GenerateDataKey', async () => {
    const app = createApp()
    await esbuildApp(app, { sourcemap: true })
    const text = expectNoPlaintext(app.out)
    expect(text).toContain('await openSecret(')
    expect(app.kms.count('GenerateDataKey')).toBe(1)
  })

  it('format cjs: sync code chosen automatically', async () => {
    const app = createApp()
    await esbuildApp(app, { format: 'cjs' })
    const text = expectNoPlaintext(app.out)
    expect(text).toMatch(/openSecretSync\)?\(/)
    // No top-level await of a secret (the bundled SDK transport has await inside its own async functions).
    expect(text).not.toMatch(/await openSecret/)
  })

  it("platform 'browser': ERR_PLUGIN_CLIENT_BUNDLE naming the importer", async () => {
    const app = createApp()
    const text = await failure(esbuildApp(app, { platform: 'browser', format: 'esm' }))
    expect(text).toContain('ERR_PLUGIN_CLIENT_BUNDLE')
    expect(text).toMatch(/src\/(db|server)\.js → src\/config\//)
    expect(app.kms.calls).toEqual([])
  })

  it('?raw import of a secret: ERR_PLUGIN_RAW_IMPORT', async () => {
    const app = createApp({ 'src/server.js': "import raw from './config/db.secret.json?raw'\nexport { raw }\n" })
    const text = await failure(esbuildApp(app))
    expect(text).toContain('ERR_PLUGIN_RAW_IMPORT')
    expect(text).toContain('src/server.js')
  })

  it('leak check: a hit fails the build and the leaking file is removed from disk', async () => {
    const app = createApp({
      'src/server.js': `import { db } from './db.js'\nexport const oops = ['${canaries[1]}', db]\n`,
    })
    const text = await failure(esbuildApp(app))
    expect(text).toContain('ERR_PLUGIN_LEAK')
    expect(text).toContain('dist/server.js: src/config/db.secret.json $["api-key"] (raw)')
    expect(text).not.toContain(canaries[1])
    expect(existsSync(join(app.out, 'server.js'))).toBe(false)
  })

  it('leak check with write: false reads outputFiles', async () => {
    const app = createApp({
      'src/server.js': `import { db } from './db.js'\nexport const oops = ['${canaries[0]}', db]\n`,
    })
    const text = await failure(esbuildApp(app, { write: false }))
    expect(text).toContain('$.password')
  })
})
