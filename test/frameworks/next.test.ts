import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { scanForCanaries, textHasCanary } from '@kms-secrets/testkit/leak'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { makeTempDir } from '../utils/fixture.js'
import { pathsServingCanaries } from '../utils/framework-app.js'
import { auditFor, kmsEnv, readAudit, useKms } from '../utils/kms.js'
import { copyNextApp, nextOutputDirs, nextSecrets, runNext, startNext } from '../utils/next.js'
import { expectedProof, hashLikeFields, newProofKey } from '../utils/proof.js'
import { sealFilesInPlace } from '../utils/seal.js'

const kms = useKms()
const keyId = kms.keyIds.next
const secretFiles = ['config/db.secret.json', 'config/api.secret.txt', 'config/mail.secret.yaml']
/** Test-only HMAC key the app answers `proof` with (see test/utils/proof.ts); fresh per run. */
const proofKey = newProofKey()
const calls = (...actions: string[]) => actions.reduce((n, a) => n + auditFor(kms, keyId, a).length, 0)

let work: string
/** HOME for every Next process: empty (no credential profile), and outside the workspace — Next ignores the workspace
 * root (pnpm-workspace.yaml) when HOME lies inside it, and then cannot find its own package through the linked
 * node_modules. */
let home: string
beforeAll(() => {
  work = makeTempDir('next')
  home = mkdtempSync(join(tmpdir(), 'kms-secrets-next-home-'))
})
afterAll(() => {
  rmSync(work, { recursive: true, force: true })
  rmSync(home, { recursive: true, force: true })
})

/** What the example's routes answer, computed from the plaintext files (`proof` only under a proof key). */
function expected(app: string, key?: string) {
  const { db, apiToken, smtpPassword } = nextSecrets(app)
  const password = String(db.password)
  const proof = (values: Record<string, string>) => key && { proof: expectedProof(key, values) }
  return {
    db: { host: db.host, port: db.port, user: db.user, password: { length: password.length }, ...proof({ password }) },
    token: {
      apiToken: { length: apiToken.length },
      smtp: { host: 'smtp.internal.example', user: 'mailer_demo', password: { length: smtpPassword.length } },
      ...proof({ apiToken, 'smtp.password': smtpPassword }),
    },
    /** The page's `data-testid="password"` paragraph. */
    page: { length: password.length, ...proof({ password }) },
  }
}

/** A build: exit code, output, and the KMS calls it made on the example's CMK. */
async function build(app: string, args: string[], env: NodeJS.ProcessEnv) {
  const before = { seal: calls('GenerateDataKey', 'Encrypt'), decrypt: calls('Decrypt'), all: readAudit(kms).length }
  const run = await runNext(app, ['build', ...args], env)
  return {
    ...run,
    seals: calls('GenerateDataKey', 'Encrypt') - before.seal,
    decrypts: calls('Decrypt') - before.decrypt,
    kmsCalls: readAudit(kms).length - before.all,
  }
}

/** `next start` with the runtime identity: every route answers its values, with one Decrypt for the process. */
async function checkServes(app: string) {
  const want = expected(app, proofKey)
  const { canaries } = nextSecrets(app)
  const decrypts = calls('Decrypt')
  const server = await startNext(
    app,
    'start',
    kmsEnv(kms, kms.identities.runtime, { HOME: home, KMS_EXAMPLE_PROOF_KEY: proofKey }),
  )
  try {
    expect(await (await fetch(`${server.url}/api/db`)).json()).toEqual(want.db)
    expect(await (await fetch(`${server.url}/api/token`)).json()).toEqual(want.token)
    const page = await (await fetch(`${server.url}/`)).text()
    expect(page).toContain(JSON.stringify(want.page).replaceAll('"', '&quot;'))
    expect(textHasCanary(server.output(), canaries)).toEqual([])
  } finally {
    await server.stop()
  }
  expect(calls('Decrypt') - decrypts).toBe(1)
}

function checkNoLeak(app: string) {
  const scan = scanForCanaries(nextOutputDirs(app), nextSecrets(app).canaries)
  expect(scan.files).toBeGreaterThan(20)
  expect(scan.hits).toEqual([])
}

describe('examples/next, plaintext files: next build (Turbopack), then next build --webpack, then next dev', () => {
  let app: string
  let turbo: Awaited<ReturnType<typeof build>>
  beforeAll(async () => {
    app = copyNextApp(work, 'plain')
    turbo = await build(app, [], kmsEnv(kms, kms.identities.build, { KMS_SECRETS_KEY_ID: keyId, HOME: home }))
  })

  test('Turbopack 1. build with the build identity: one GenerateDataKey, no Decrypt', () => {
    expect(turbo.code, turbo.out).toBe(0)
    expect(turbo.out).toContain('(Turbopack)')
    expect(turbo.seals).toBe(1)
    expect(turbo.decrypts).toBe(0)
    expect(textHasCanary(turbo.out, nextSecrets(app).canaries)).toEqual([])
  })

  test('Turbopack 2. no plaintext in .next (incl. .next/cache) or anywhere else the build wrote', () =>
    checkNoLeak(app))

  test('Turbopack 3. next start with the runtime identity serves the values, one Decrypt per process', () =>
    checkServes(app))

  test('3. as a user runs it (no test-only proof key), no route answers anything derived from a secret value', async () => {
    const want = expected(app)
    const server = await startNext(app, 'start', kmsEnv(kms, kms.identities.runtime, { HOME: home }))
    try {
      for (const [route, answer] of [
        ['/api/db', want.db],
        ['/api/token', want.token],
      ] as const) {
        const body = await (await fetch(`${server.url}${route}`)).json()
        expect(hashLikeFields(body)).toEqual([])
        expect(body).toEqual(answer)
      }
      const page = await (await fetch(`${server.url}/`)).text()
      const shown = /data-testid="password">([^<]*)</.exec(page)?.[1]?.replaceAll('&quot;', '"')
      expect(JSON.parse(shown ?? 'null')).toEqual(want.page)
    } finally {
      await server.stop()
    }
  })

  test('3. next start with an identity that may not Decrypt: it starts, and every secret route answers a typed error', async () => {
    const server = await startNext(app, 'start', kmsEnv(kms, kms.identities.build, { HOME: home }))
    try {
      for (const route of ['/api/db', '/api/token', '/'])
        expect((await fetch(`${server.url}${route}`)).status).toBe(500)
      expect(server.output()).toContain('ERR_KMS_UNAUTHORIZED')
      expect(textHasCanary(server.output(), nextSecrets(app).canaries)).toEqual([])
    } finally {
      await server.stop()
    }
  })

  test('webpack 1–3. a second build (declarations written, tsconfig rewritten by Next) with --webpack, then start', async () => {
    const wp = await build(
      app,
      ['--webpack'],
      kmsEnv(kms, kms.identities.build, { KMS_SECRETS_KEY_ID: keyId, HOME: home }),
    )
    expect(wp.code, wp.out).toBe(0)
    expect(wp.out).toContain('(webpack)')
    expect(wp.seals).toBe(1)
    expect(wp.decrypts).toBe(0)
    checkNoLeak(app)
    await checkServes(app)
  })

  test('Turbopack 4. next dev renders with the dev identity and serves no secret file by any URL', async () => {
    const { canaries } = nextSecrets(app)
    const want = expected(app, proofKey)
    const server = await startNext(
      app,
      'dev',
      kmsEnv(kms, kms.identities.dev, { KMS_SECRETS_KEY_ID: keyId, HOME: home, KMS_EXAMPLE_PROOF_KEY: proofKey }),
    )
    try {
      expect(await (await fetch(`${server.url}/api/db`)).json()).toEqual(want.db)
      expect(await (await fetch(`${server.url}/api/token`)).json()).toEqual(want.token)
      expect((await fetch(`${server.url}/`)).status).toBe(200)
      const forms = secretFiles.flatMap((f) => [
        `/${f}`,
        `/${f}?raw`,
        `/${f}?url`,
        `/${f}?inline`,
        `/${f}?import`,
        `/_next/${f}`,
        `/_next/static/${f}`,
        `/_next/static/chunks/${f}`,
        `/_next/static/../../${f}`,
        `/__nextjs_original-stack-frame?file=${f}`,
        `/__nextjs_source-map?filename=${f}`,
        `/_next/image?url=/${f}&w=64&q=75`,
      ])
      expect(await pathsServingCanaries(server.url, forms, canaries)).toEqual([])
      expect(textHasCanary(server.output(), canaries)).toEqual([])
    } finally {
      await server.stop()
    }
    checkNoLeak(app)
  })
})

describe('examples/next, sealed files: a build with no credentials, a prerendered secret, a secret in a client component', () => {
  let app: string
  beforeAll(async () => {
    app = copyNextApp(work, 'sealed')
    await sealFilesInPlace(app, secretFiles, { endpoint: kms.endpoint, keyId, identity: kms.identities.admin })
  })

  // Turbopack only: there Next loads secrets through our loader; with --webpack it runs the webpack plugin, whose
  // sealed build with no credentials is proven in sealed.test.ts (and its Next wiring by "webpack 1–3" above).
  test('1. next build (Turbopack) with no credentials at all makes no KMS call', async () => {
    const b = await build(app, [], kmsEnv(kms, undefined, { HOME: home }))
    expect(b.code, b.out).toBe(0)
    expect(b.out).toContain('(Turbopack)')
    expect(b.kmsCalls).toBe(0)
  })

  test('1. a prerendered page that reads a secret fails the build with ERR_RUNTIME_BUILD_PHASE naming the route', async () => {
    mkdirSync(join(app, 'app', 'static'))
    writeFileSync(
      join(app, 'app', 'static', 'page.tsx'),
      "import db from '../../config/db.secret.json'\n\nexport default function Static() {\n  return <p>{db.host}</p>\n}\n",
    )
    const b = await build(app, [], kmsEnv(kms, undefined, { HOME: home }))
    rmSync(join(app, 'app', 'static'), { recursive: true })
    expect(b.code, b.out).not.toBe(0)
    expect(b.out).toContain('ERR_RUNTIME_BUILD_PHASE')
    expect(b.out).toContain('/static')
    expect(b.out).toContain("dynamic = 'force-dynamic'")
    expect(b.kmsCalls).toBe(0)
  })

  for (const bundler of ['Turbopack', 'webpack'] as const) {
    test(`client-bundle guard (${bundler}): a client component that imports a secret fails the build`, async () => {
      mkdirSync(join(app, 'app', 'client'))
      writeFileSync(
        join(app, 'app', 'client', 'page.tsx'),
        "'use client'\nimport token from '../../config/api.secret.txt'\n\nexport default function Client() {\n  return <p>{token.length}</p>\n}\n",
      )
      const b = await build(app, bundler === 'webpack' ? ['--webpack'] : [], kmsEnv(kms, undefined, { HOME: home }))
      rmSync(join(app, 'app', 'client'), { recursive: true })
      expect(b.code, b.out).not.toBe(0)
      expect(b.out).toContain('ERR_PLUGIN_CLIENT_BUNDLE')
      expect(b.kmsCalls).toBe(0)
    })
  }
})
