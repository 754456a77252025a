import { cpSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { scanForCanaries, textHasCanary } from '@kms-secrets/testkit/leak'
import kmsSecrets from 'unplugin-kms-secrets/vite'
import { createServer, type ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { copyFixtureApp, expectedDigest, fixtureCanaries, makeTempDir } from './utils/fixture.js'
import { buildEnvVars, setEnv, useKms } from './utils/kms.js'

const kms = useKms()
let work: string
let app: string
let server: ViteDevServer
let base: string
let restoreEnv: () => void

beforeAll(async () => {
  work = makeTempDir('vite-dev')
  app = copyFixtureApp(work)
  // A backup copy of a secret is no secret file of the plugin but holds its plaintext: the deny glob covers it.
  cpSync(join(app, 'config/db.secret.json'), join(app, 'config/db.secret.json.bak'))
  // The dev server seals and opens in one process: the developer's identity may GenerateDataKey and Decrypt.
  restoreEnv = setEnv(buildEnvVars(kms, kms.identities.dev))
  server = await createServer({
    root: app,
    configFile: false,
    logLevel: 'silent',
    cacheDir: join(work, 'vite-cache'),
    appType: 'custom',
    plugins: [kmsSecrets({ keyId: kms.keyIds.dev })],
    server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
  })
  await server.listen()
  const { port } = server.httpServer!.address() as AddressInfo
  base = `http://127.0.0.1:${port}`
})

afterAll(async () => {
  await server?.close()
  restoreEnv?.()
  rmSync(work, { recursive: true, force: true })
})

describe('vite dev server (real HTTP on 127.0.0.1) never serves a secret file', () => {
  const refused: [label: string, url: (app: string) => string][] = [
    ...[
      '/config/db.secret.json',
      '/config/db.secret.json?raw',
      '/config/db.secret.json?url',
      '/config/db.secret.json?inline',
      '/config/settings.secret.yaml?raw',
      '/config/app.secret.env',
      '/config/token.secret.txt?raw',
      '/config/db.secret.json.bak',
    ].map((u): [string, () => string] => [u, () => u]),
    ['/@fs/<app>/config/db.secret.json', (a) => `/@fs${a}/config/db.secret.json`],
    ['/@fs/<app>/config/token.secret.txt?raw', (a) => `/@fs${a}/config/token.secret.txt?raw`],
    ['/@fs/<app>/config/db.secret.json.bak', (a) => `/@fs${a}/config/db.secret.json.bak`],
  ]
  for (const [label, url] of refused) {
    test(`${label} → 403, no plaintext in the body`, async () => {
      const res = await fetch(base + url(app))
      const body = await res.text()
      expect(res.status).toBe(403)
      expect(textHasCanary(body, fixtureCanaries(app))).toEqual([])
    })
  }

  test('?import and the importing module: whatever the status, no plaintext in the body', async () => {
    for (const url of ['/config/db.secret.json?import', '/src/secrets.js', '/src/server.js']) {
      const body = await (await fetch(base + url)).text()
      expect(textHasCanary(body, fixtureCanaries(app))).toEqual([])
    }
  })
})

describe('SSR in the dev server', () => {
  test('ssrLoadModule of the server code gets the decrypted values, in memory only', async () => {
    const mod = (await server.ssrLoadModule('/src/secrets.js')) as { secrets: unknown }
    expect(mod.secrets).toEqual(expectedDigest(app))
    expect(scanForCanaries([join(work, 'vite-cache'), join(app, 'node_modules')], fixtureCanaries(app)).hits).toEqual(
      [],
    )
  })
})
