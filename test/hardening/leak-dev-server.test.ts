import { mkdirSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { newCanary, textHasCanary } from '@kms-secrets/testkit/leak'
import { startTestKms, type TestKms } from '@kms-secrets/testkit/local-kms'
import kmsSecrets from 'unplugin-kms-secrets/vite'
import { createLogger, createServer, type Plugin, type ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setEnv } from '../utils/kms.js'
import { renderError } from './support/attempt.js'
import { createFigures } from './support/figures.js'
import { keyIdFor, newIdentity, oneKeySeed, providerFor } from './support/kms.js'
import { makeWorkDir } from './support/work.js'
import { tapWebSocket, type WsTap } from './support/ws-client.js'

const figures = createFigures('leak-dev-server')
const keyId = keyIdFor('dev')
const dev = newIdentity('Dev')
const work = makeWorkDir('dev')
const root = join(work.dir, 'app')
/** Every plaintext value the dev server ever saw; none may appear anywhere a browser or a log can see. */
const canaries = [newCanary('A'), newCanary('B'), newCanary('C')]
const logs: string[] = []
const bodies: string[] = []
const ssrErrors: unknown[] = []
let kms: TestKms
let server: ViteDevServer
let base: string
let ws: WsTap
let restoreEnv: (() => void) | undefined

/** What a framework does in dev: render with ssrLoadModule, hand errors to vite (log + overlay over the HMR socket). */
const ssrApp: Plugin = {
  name: 'hardening-ssr-app',
  configureServer(s) {
    s.middlewares.use('/ssr', async (_req, res, next) => {
      try {
        const mod = (await s.ssrLoadModule('/src/secrets.js')) as { describe(): string }
        res.end(mod.describe())
      } catch (e) {
        ssrErrors.push(e)
        s.ssrFixStacktrace(e as Error)
        next(e)
      }
    })
  },
}

function writeApp(dbValue: string): void {
  mkdirSync(join(root, 'config'), { recursive: true })
  mkdirSync(join(root, 'src'), { recursive: true })
  writeFileSync(join(root, 'config', 'db.secret.json'), dbValue)
  writeFileSync(join(root, 'config', 'token.secret.txt'), canaries[1]!)
  writeFileSync(
    join(root, 'src', 'secrets.js'),
    "import db from '../config/db.secret.json'\nimport token from '../config/token.secret.txt'\n" +
      "export function describe() { return 'keys ' + Object.keys(db).length + ', token ' + token.length + ' chars' }\n" +
      'export const values = { db, token }\n',
  )
  writeFileSync(join(root, 'src', 'client.js'), "import { hello } from './shared.js'\nconsole.log(hello)\n")
  writeFileSync(join(root, 'src', 'shared.js'), "export const hello = 'hi'\n")
  writeFileSync(join(root, 'src', 'leaky-client.js'), "import db from '../config/db.secret.json'\nconsole.log(db)\n")
  writeFileSync(join(root, 'index.html'), '<script type="module" src="/src/client.js"></script>\n')
}

beforeAll(async () => {
  kms = await startTestKms({ seed: oneKeySeed(keyId, 'hard-dev', [dev, ['GenerateDataKey', 'Decrypt']]) })
  writeApp(JSON.stringify({ user: 'app', password: canaries[0] }, null, 2))
  // The SSR side opens secrets through the runtime's default opener: env credentials, as on a developer machine.
  const env = {
    KMS_SECRETS_ENDPOINT: kms.endpoint,
    TENCENTCLOUD_SECRET_ID: dev.secretId,
    TENCENTCLOUD_SECRET_KEY: dev.secretKey,
  }
  restoreEnv = setEnv(env)
  const logger = createLogger('info')
  const capture = (msg: string, options?: object) => {
    const error = (options as { error?: unknown } | undefined)?.error
    logs.push(msg, error ? renderError(error) : '')
  }
  server = await createServer({
    root,
    configFile: false,
    cacheDir: join(work.dir, 'vite-cache'),
    appType: 'spa',
    customLogger: { ...logger, info: capture, warn: capture, warnOnce: capture, error: capture },
    plugins: [kmsSecrets({ keyId, provider: providerFor(kms.endpoint, dev), dts: false }), ssrApp],
    server: { host: '127.0.0.1', port: 0 },
  })
  await server.listen()
  base = `http://127.0.0.1:${(server.httpServer!.address() as AddressInfo).port}`
  ws = await tapWebSocket(`${base}/`, 'vite-hmr')
})

afterAll(async () => {
  ws?.close()
  await server?.close()
  restoreEnv?.()
  figures.write()
  await kms.dispose()
  work.remove()
})

async function get(path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(base + path)
  const body = await res.text()
  bodies.push(body)
  return { status: res.status, body }
}

const until = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50))
}

describe('vite dev server with HMR: no plaintext on the wire, in overlays or in logs', () => {
  it('SSR renders with the decrypted values; the HMR socket is connected', async () => {
    const res = await get('/ssr')
    expect(res.status).toBe(200)
    expect(res.body).toBe(`keys 2, token ${canaries[1]!.length} chars`)
    const mod = (await server.ssrLoadModule('/src/secrets.js')) as { values: { db: unknown; token: string } }
    expect(mod.values).toEqual({ db: { user: 'app', password: canaries[0] }, token: canaries[1] })
    await until(() => ws.messages.some((m) => m.includes('"connected"')))
    expect(ws.messages.some((m) => m.includes('"connected"'))).toBe(true)
    for (const path of ['/', '/src/client.js', '/src/secrets.js', '/@vite/client']) await get(path)
  })

  it('a browser module importing a secret: error page and overlay payload name the file, not the value', async () => {
    const before = ws.messages.length
    expect((await get('/src/leaky-client.js')).status).toBe(200)
    const direct = await get('/config/db.secret.json?import')
    expect(direct.status).toBe(500)
    await until(() => ws.messages.slice(before).some((m) => m.includes('"type":"error"')))
    const overlay = ws.messages.slice(before).find((m) => m.includes('"type":"error"'))
    expect(overlay).toContain('ERR_PLUGIN_CLIENT_BUNDLE')
    figures.add('overlayPayloadsInspected')
  })

  it('editing a secret file: HMR payloads carry paths only; SSR picks up the new value', async () => {
    const before = ws.messages.length
    writeFileSync(join(root, 'config', 'db.secret.json'), JSON.stringify({ user: 'app', password: canaries[2] }))
    // The secret's module has a virtual id (no file of its own in the module graph): wait for SSR to see the edit.
    const load = async () =>
      ((await server.ssrLoadModule('/src/secrets.js')) as { values: { db: { password: string } } }).values.db.password
    let password = await load()
    for (const end = Date.now() + 8000; password !== canaries[2] && Date.now() < end; password = await load()) {
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(password).toBe(canaries[2])
    await new Promise((r) => setTimeout(r, 300))
    figures.add('hmrPayloadsAfterEdit', ws.messages.length - before)
  })

  it('a malformed secret file: the SSR error, the 500 page, the overlay payload and the log carry no value', async () => {
    const before = ws.messages.length
    writeFileSync(
      join(root, 'config', 'db.secret.json'),
      `{\n  "user": "app",\n  "password": "${canaries[2]}",\n  "note": ${canaries[0]}\n`,
    )
    let res = { status: 0, body: '' }
    const end = Date.now() + 8000
    while (Date.now() < end && res.status !== 500) {
      res = await get('/ssr')
      if (res.status !== 500) await new Promise((r) => setTimeout(r, 100))
    }
    expect(res.status).toBe(500)
    await until(() => ws.messages.slice(before).some((m) => m.includes('"type":"error"')))
    const overlay = ws.messages.slice(before).find((m) => m.includes('"type":"error"'))
    expect(overlay).toContain('ERR_SECRET_PARSE')
    expect(ssrErrors.length).toBeGreaterThan(0)
    figures.add('overlayPayloadsInspected')
  })

  it('nothing any of the above produced holds a plaintext value, in any encoding', () => {
    const sources: [string, string[]][] = [
      ['ws', ws.messages],
      ['http', bodies],
      ['log', logs],
      ['ssrError', ssrErrors.map(renderError)],
    ]
    for (const [where, texts] of sources) {
      for (const text of texts) expect(textHasCanary(text, canaries), `plaintext in ${where}`).toEqual([])
      figures.set(`${where}TextsScanned`, texts.length)
    }
    figures.set('canaries', canaries.length)
  })
})
