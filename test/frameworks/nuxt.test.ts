import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { scanForCanaries, textHasCanary } from '@kms-secrets/testkit/leak'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { makeTempDir } from '../utils/fixture.js'
import { pathsServingCanaries } from '../utils/framework-app.js'
import { auditFor, kmsEnv, useKms } from '../utils/kms.js'
import { copyNuxtApp, nuxtOutputDirs, nuxtSecrets, runNuxt, startNuxt } from '../utils/nuxt.js'
import { expectedProof, hashLikeFields, newProofKey } from '../utils/proof.js'
import { sealFilesInPlace } from '../utils/seal.js'

const kms = useKms()
const keyId = kms.keyIds.nuxt
const probeKeyId = kms.keyIds.nuxtProbe
const secretFiles = ['config/db.secret.json', 'config/api.secret.txt', 'config/features.secret.yaml']
/** Test-only HMAC key the app answers `proof` with (see test/utils/proof.ts); fresh per run. */
const proofKey = newProofKey()
const calls = (action: string) => auditFor(kms, keyId, action).length

let work: string
beforeAll(() => {
  work = makeTempDir('nuxt')
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** What the example's routes answer, computed from the plaintext files (`proof` only under a proof key). */
function expectedAnswers(app: string, key?: string) {
  const { db, apiToken, signingKey } = nuxtSecrets(app)
  const password = String(db.password)
  const proof = (values: Record<string, string>) => key && { proof: expectedProof(key, values) }
  return {
    config: {
      ok: true,
      db: { host: db.host, port: db.port, user: db.user, passwordLength: password.length },
      apiToken: { length: apiToken.trim().length },
      ...proof({ 'db.password': password, apiToken: apiToken.trim() }),
    },
    features: {
      ok: true,
      flags: { newCheckout: true, maxUploadMb: 25 },
      signingKeyLength: signingKey.length,
      ...proof({ signingKey }),
    },
  }
}

function patchConfig(app: string, extra: string, imports = ''): void {
  const path = join(app, 'nuxt.config.ts')
  const config = readFileSync(path, 'utf8').replace(/\}\)\n$/, `  ${extra},\n})\n`)
  writeFileSync(path, imports + config)
}

describe('examples/nuxt: nuxt build with the build identity, node .output/server/index.mjs with the runtime identity', () => {
  let app: string
  let secrets: ReturnType<typeof nuxtSecrets>
  let seals = 0
  let decryptsAtBuild = 0
  let built: { code: number | null; out: string }

  beforeAll(async () => {
    app = copyNuxtApp(work, 'plain')
    secrets = nuxtSecrets(app)
    const before = { seal: calls('GenerateDataKey') + calls('Encrypt'), decrypt: calls('Decrypt') }
    built = await runNuxt(app, ['build'], kmsEnv(kms, kms.identities.build, { KMS_SECRETS_KEY_ID: keyId, HOME: work }))
    seals = calls('GenerateDataKey') + calls('Encrypt') - before.seal
    decryptsAtBuild = calls('Decrypt') - before.decrypt
  })

  test('1. the build succeeds with one GenerateDataKey and no Decrypt', () => {
    expect(built.code, built.out).toBe(0)
    expect(seals).toBe(1)
    expect(decryptsAtBuild).toBe(0)
    expect(textHasCanary(built.out, secrets.canaries)).toEqual([])
  })

  test('2. no plaintext in .nuxt, .output, node_modules/.cache or node_modules/.vite, in any encoding', () => {
    const scan = scanForCanaries(nuxtOutputDirs(app), secrets.canaries)
    expect(scan.files).toBeGreaterThan(20)
    expect(scan.hits).toEqual([])
  })

  test('3. the runtime identity serves the right values with one Decrypt per process', async () => {
    const decrypts = calls('Decrypt')
    const server = await startNuxt(
      app,
      'start',
      kmsEnv(kms, kms.identities.runtime, { HOME: work, KMS_EXAMPLE_PROOF_KEY: proofKey }),
    )
    try {
      const expected = expectedAnswers(app, proofKey)
      for (const route of ['config', 'features', 'config'] as const) {
        const res = await fetch(`${server.url}/api/${route}`)
        const body = await res.text()
        expect(res.status, body).toBe(200)
        expect(JSON.parse(body)).toEqual(expected[route])
        expect(textHasCanary(body, secrets.hidden)).toEqual([])
      }
      const page = await (await fetch(`${server.url}/`, { signal: AbortSignal.timeout(60_000) })).text()
      expect(page).toContain(`${secrets.db.user}@${secrets.db.host}:${secrets.db.port}`)
    } finally {
      await server.stop()
    }
    expect(calls('Decrypt') - decrypts).toBe(1)
    expect(textHasCanary(server.output(), secrets.canaries)).toEqual([])
  })

  test('3. as a user runs it (no test-only proof key), no route answers anything derived from a secret value', async () => {
    const server = await startNuxt(app, 'start', kmsEnv(kms, kms.identities.runtime, { HOME: work }))
    try {
      const expected = expectedAnswers(app)
      for (const route of ['config', 'features'] as const) {
        const body = await (await fetch(`${server.url}/api/${route}`)).json()
        expect(hashLikeFields(body)).toEqual([])
        expect(body).toEqual(expected[route])
      }
    } finally {
      await server.stop()
    }
  })

  test('3. an identity that may not Decrypt: the server starts, every secret route answers 500 and logs the typed error', async () => {
    const server = await startNuxt(app, 'start', kmsEnv(kms, kms.identities.build, { HOME: work }))
    try {
      for (const route of ['config', 'features']) {
        const res = await fetch(`${server.url}/api/${route}`)
        const body = await res.text()
        expect(res.status).toBe(500)
        expect(textHasCanary(body, secrets.hidden)).toEqual([])
      }
    } finally {
      await server.stop()
    }
    expect(server.output()).toMatch(/ERR_KMS_\w+/)
    expect(textHasCanary(server.output(), secrets.canaries)).toEqual([])
  })
})

describe.concurrent('examples/nuxt: other builds', () => {
  test('1. files sealed on disk build with no credentials at all and no KMS call', async () => {
    const app = copyNuxtApp(work, 'sealed')
    const secrets = nuxtSecrets(app)
    await sealFilesInPlace(app, secretFiles, { endpoint: kms.endpoint, keyId, identity: kms.identities.admin })
    const before = auditFor(kms, keyId).length
    const built = await runNuxt(app, ['build'], kmsEnv(kms, undefined, { HOME: work }))
    expect(built.code, built.out).toBe(0)
    expect(auditFor(kms, keyId).length - before).toBe(0)
    expect(scanForCanaries(nuxtOutputDirs(app), secrets.canaries).hits).toEqual([])
  })

  test('1. a prerendered route that reads a secret fails the build with ERR_RUNTIME_BUILD_PHASE naming it, no Decrypt', async () => {
    const app = copyNuxtApp(work, 'prerender')
    const secrets = nuxtSecrets(app)
    patchConfig(app, `nitro: { prerender: { routes: ['/api/features', '/api/config'] } }`)
    const decrypts = auditFor(kms, probeKeyId, 'Decrypt').length
    const built = await runNuxt(
      app,
      ['build'],
      kmsEnv(kms, kms.identities.build, { KMS_SECRETS_KEY_ID: probeKeyId, HOME: work }),
    )
    expect(built.code).not.toBe(0)
    expect(built.out).toMatch(/\[ERR_RUNTIME_BUILD_PHASE\] Prerendering [^\n]*\/api\/config/)
    expect(auditFor(kms, probeKeyId, 'Decrypt').length - decrypts).toBe(0)
    expect(textHasCanary(built.out, secrets.canaries)).toEqual([])
    expect(scanForCanaries(nuxtOutputDirs(app), secrets.canaries).hits).toEqual([])
  })

  test('2. a nitro plugin that inlines a secret file (raw()-style) fails the build: the leak check sees nitro output', async () => {
    const app = copyNuxtApp(work, 'inline')
    const secrets = nuxtSecrets(app)
    patchConfig(
      app,
      `hooks: {
    'nitro:init'(nitro) {
      nitro.hooks.hook('rollup:before', (_, config) => {
        config.plugins.unshift({
          name: 'inline-text',
          resolveId: (id, importer) => (id.endsWith('.secret.txt') ? \`\\0inline:\${resolve(dirname(importer), id)}\` : null),
          load: (id) => (id.startsWith('\\0inline:') ? \`export default \${JSON.stringify(readFileSync(id.slice(8), 'utf8'))}\` : null),
        })
      })
    },
  }`,
      `import { readFileSync } from 'node:fs'\nimport { dirname, resolve } from 'node:path'\n\n`,
    )
    const built = await runNuxt(
      app,
      ['build'],
      kmsEnv(kms, kms.identities.build, { KMS_SECRETS_KEY_ID: probeKeyId, HOME: work }),
    )
    expect(built.code).not.toBe(0)
    expect(built.out).toMatch(/ERR_PLUGIN_LEAK[\s\S]*config\/api\.secret\.txt/)
    expect(textHasCanary(built.out, secrets.canaries)).toEqual([])
  })
})

describe('examples/nuxt: nuxt dev with the dev identity', () => {
  test('4. renders and serves the values; no URL form serves a secret file; nothing on disk', async () => {
    const app = copyNuxtApp(work, 'dev')
    const secrets = nuxtSecrets(app)
    const server = await startNuxt(
      app,
      'dev',
      kmsEnv(kms, kms.identities.dev, { KMS_SECRETS_KEY_ID: keyId, HOME: work, KMS_EXAMPLE_PROOF_KEY: proofKey }),
    )
    try {
      const config = await fetch(`${server.url}/api/config`, { signal: AbortSignal.timeout(60_000) })
      expect(config.status).toBe(200)
      expect(await config.json()).toEqual(expectedAnswers(app, proofKey).config)
      const page = await (await fetch(`${server.url}/`, { signal: AbortSignal.timeout(60_000) })).text()
      expect(page).toContain(`${secrets.db.user}@${secrets.db.host}:${secrets.db.port}`)
      const urls = secretFiles.flatMap((f) => [
        `/${f}`,
        `/_nuxt/${f}`,
        `/_nuxt/@fs${app}/${f}`,
        `/@fs${app}/${f}`,
        `/_nuxt/@id${app}/${f}`,
        `/@id${app}/${f}`,
        ...['raw', 'url', 'inline', 'import'].flatMap((q) => [`/_nuxt/${f}?${q}`, `/_nuxt/@fs${app}/${f}?${q}`]),
      ])
      expect(await pathsServingCanaries(server.url, urls, secrets.hidden)).toEqual([])
    } finally {
      await server.stop()
    }
    expect(textHasCanary(server.output(), secrets.canaries)).toEqual([])
    expect(scanForCanaries(nuxtOutputDirs(app), secrets.canaries).hits).toEqual([])
  }, 240_000)
})
