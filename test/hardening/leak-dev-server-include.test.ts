import { linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { newCanary, textHasCanary } from '@kms-secrets/testkit/leak'
import { startTestKms, type TestKms } from '@kms-secrets/testkit/local-kms'
import kmsSecrets from 'unplugin-kms-secrets/vite'
import { createServer, type ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorCodesIn } from '../utils/errors.js'
import { setEnv } from '../utils/kms.js'
import { keyIdFor, newIdentity, oneKeySeed, providerFor } from './support/kms.js'
import { makeWorkDir } from './support/work.js'

/**
 * Issue 9 items 1 and 5: the dev server's protections follow what the plugin treats as a secret (a custom `include`
 * regex, on real paths, other names of the same file), and a local-kms data dir inside the project is never served,
 * whatever its name. Every URL form a browser (or anything on the network) can send is tried.
 */
const keyId = keyIdFor('devinc')
const dev = newIdentity('DevInc')
const work = makeWorkDir('dev-include')
const root = join(work.dir, 'app')
const dataDir = join(root, '.kms-local')
const include = [/\/secrets\/[^/]+\.json$/]
/** 0: the secret file's value; 1: a value in a renamed fake data dir; 2: a secret added after start; rest: data dir. */
const canaries = [newCanary('S'), newCanary('D'), newCanary('L')]
let kms: TestKms
let server: ViteDevServer
let baseServer: ViteDevServer
let origin: string
let baseOrigin: string
let restoreEnv: (() => void) | undefined

/** The fake marker local-kms writes (`encodeCheckedJson('local-kms/data-dir@1', { version: 1 })`). */
const markerText = `${JSON.stringify(
  {
    format: 'local-kms/data-dir@1',
    sha256: '2430f1a2ad2982d0067885488a4c89e21ad1d7c83b115ba8f1b20acc88dfaea8',
    data: { version: 1 },
  },
  null,
  2,
)}\n`

function writeApp(): void {
  for (const dir of ['secrets', 'src', 'public', 'var/kms-data/keys']) mkdirSync(join(root, dir), { recursive: true })
  writeFileSync(join(root, 'secrets', 'api.json'), JSON.stringify({ user: 'api', apiKey: canaries[0] }, null, 2))
  writeFileSync(join(root, 'src', 'server.js'), "import api from '../secrets/api.json'\nexport const value = api\n")
  writeFileSync(join(root, 'src', 'via-hardlink.js'), "import n from '../notes.json'\nexport const value = n\n")
  writeFileSync(
    join(root, 'src', 'via-kms-data.js'),
    "import ids from '../.kms-local/identities.json'\nexport const value = ids\n",
  )
  writeFileSync(join(root, 'public', 'robots.txt'), 'User-agent: *\n')
  // Other names of the secret file: symlinks (file and dir) and hard links, in the root and in publicDir.
  symlinkSync('secrets/api.json', join(root, 'innocent.json'))
  symlinkSync('secrets', join(root, 'linked'))
  symlinkSync('../secrets/api.json', join(root, 'public', 'copy.json'))
  linkSync(join(root, 'secrets', 'api.json'), join(root, 'notes.json'))
  linkSync(join(root, 'secrets', 'api.json'), join(root, 'public', 'hard.json'))
  // A local-kms data dir under another name (marker + a key file), besides the real one local-kms creates.
  writeFileSync(join(root, 'var', 'kms-data', 'local-kms.json'), markerText)
  writeFileSync(join(root, 'var', 'kms-data', 'keys', 'fake.json'), JSON.stringify({ material: canaries[1] }))
}

/** The values in a data-dir file no browser may see: secret keys, key material (and checksums, to spot the file). */
function secretFields(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return []
  return Object.entries(value).flatMap(([key, v]) =>
    typeof v === 'string' && ['secretKey', 'material', 'sha256'].includes(key) ? [v] : secretFields(v),
  )
}

async function listen(s: ViteDevServer): Promise<string> {
  await s.listen()
  return `http://127.0.0.1:${(s.httpServer!.address() as AddressInfo).port}`
}

function devServer(base: string): Promise<ViteDevServer> {
  return createServer({
    root,
    base,
    configFile: false,
    logLevel: 'silent',
    cacheDir: join(work.dir, `vite-cache${base.replaceAll('/', '-')}`),
    appType: 'custom',
    plugins: [kmsSecrets({ keyId, include, provider: providerFor(kms.endpoint, dev), dts: false })],
    server: { host: '127.0.0.1', port: 0 },
  })
}

beforeAll(async () => {
  writeApp()
  // A real local-kms whose --data-dir is inside the project (what issue 9 item 5 found served).
  kms = await startTestKms({
    dataDir,
    seed: oneKeySeed(keyId, 'hard-dev-include', [dev, ['GenerateDataKey', 'Decrypt']]),
  })
  for (const file of ['identities.json', `keys/${keyId}.json`]) {
    canaries.push(...secretFields(JSON.parse(readFileSync(join(dataDir, file), 'utf8'))))
  }
  const env = {
    KMS_SECRETS_ENDPOINT: kms.endpoint,
    TENCENTCLOUD_SECRET_ID: dev.secretId,
    TENCENTCLOUD_SECRET_KEY: dev.secretKey,
  }
  restoreEnv = setEnv(env)
  server = await devServer('/')
  origin = await listen(server)
  baseServer = await devServer('/app/')
  baseOrigin = await listen(baseServer)
})

afterAll(async () => {
  await server?.close()
  await baseServer?.close()
  restoreEnv?.()
  await kms?.close()
  work.remove()
})

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url)
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()).toString('utf8') }
}

/** Each URL is refused outright: 403 and nothing of the file. Lists every URL that was not (not only the first). */
async function expectRefused(at: string, urls: string[]): Promise<void> {
  const served: string[] = []
  for (const url of urls) {
    const res = await get(at + url)
    const leaked = textHasCanary(res.body, canaries).length > 0
    if (leaked || res.status !== 403) served.push(`${url} → ${res.status}${leaked ? ' WITH PLAINTEXT' : ''}`)
  }
  expect(served).toEqual([])
}

const secretForms = (a: string): string[] => [
  '/secrets/api.json',
  '/secrets/api.json?raw',
  '/secrets/api.json?url',
  '/secrets/api.json?inline',
  '/secrets/api.json?raw&import',
  '/secrets/api.json?v=1234',
  '/%73ecrets/api%2Ejson',
  '/secrets/api%2Ejson?raw',
  '/secrets/%2561pi.json',
  '/secrets%2Fapi.json',
  `/@fs${a}/secrets/api.json`,
  `/@fs${a}/secrets/api.json?raw`,
  `/@fs${encodeURI(a).replaceAll('/', '%2F')}%2Fsecrets%2Fapi.json`,
  '/@id/secrets/api.json',
  `/@id/${a}/secrets/api.json`,
]

const aliasForms = (a: string): string[] => [
  '/innocent.json',
  '/innocent.json?raw',
  '/linked/api.json',
  '/linked/api.json?url',
  '/copy.json',
  '/copy.json?raw',
  `/@fs${a}/innocent.json`,
  '/notes.json',
  '/notes.json?raw',
  '/notes.json?import',
  '/notes.json?inline',
  '/hard.json',
  `/@fs${a}/notes.json`,
  `/@fs${a}/public/hard.json`,
]

const dataDirForms = (a: string): string[] => [
  '/.kms-local/identities.json',
  `/.kms-local/keys/${keyId}.json`,
  '/.kms-local/local-kms.json',
  '/.kms-local/identities.json?raw',
  '/.kms-local/identities.json?import',
  '/%2Ekms-local/identities.json',
  `/@fs${a}/.kms-local/identities.json`,
  `/@fs${a}/.kms-local/keys/${keyId}.json?raw`,
  '/var/kms-data/keys/fake.json',
  '/var/kms-data/keys/fake.json?import',
  '/var/kms-data/keys/fake.json?raw',
]

describe('vite dev server with a custom include: every URL form of a secret is refused', () => {
  it('the secret file (include regex), in every query, encoding, /@fs and /@id form → 403', async () => {
    await expectRefused(origin, secretForms(root))
    // A browser import (?import) still reaches the load hook: the typed client-bundle error, never the file.
    const res = await get(`${origin}/secrets/api.json?import`)
    expect(textHasCanary(res.body, canaries)).toEqual([])
    expect(res.status).toBe(500)
    expect(res.body).toContain('ERR_PLUGIN_CLIENT_BUNDLE')
  })

  it('symlinks and hard links with other names (root and publicDir) → 403', async () => {
    await expectRefused(origin, aliasForms(root))
  })

  it('a secret file and a hard link to it created after the server started → 403', async () => {
    writeFileSync(join(root, 'secrets', 'late.json'), JSON.stringify({ token: canaries[2] }))
    linkSync(join(root, 'secrets', 'late.json'), join(root, 'late-copy.json'))
    await expectRefused(origin, ['/late-copy.json', '/late-copy.json?raw', '/secrets/late.json?url'])
  })

  it('a local-kms data dir in the project, whatever its name, is never served', async () => {
    await expectRefused(origin, dataDirForms(root))
  })

  it('with a `base`, the prefixed URLs are refused the same way', async () => {
    const forms = [...secretForms(root), ...aliasForms(root), ...dataDirForms(root)].filter((u) => !u.startsWith('/@'))
    await expectRefused(`${baseOrigin}/app`, forms)
  })

  it('SSR: the secret and a hard link to it are sealed (never plaintext JSON); a data-dir import is refused', async () => {
    const mod = (await server.ssrLoadModule('/src/server.js')) as { value: unknown }
    expect(mod.value).toEqual({ user: 'api', apiKey: canaries[0] })
    const viaLink = (await server.ssrLoadModule('/src/via-hardlink.js')) as { value: unknown }
    expect(viaLink.value).toEqual({ user: 'api', apiKey: canaries[0] })
    const linkModule = await server.environments.ssr.transformRequest(join(root, 'notes.json'))
    expect(linkModule?.code).toContain('openSecret')
    expect(textHasCanary(linkModule?.code ?? '', canaries)).toEqual([])
    const error = await server.ssrLoadModule('/src/via-kms-data.js').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(errorCodesIn(error)).toContain('ERR_PLUGIN_LEAK')
  })
})
