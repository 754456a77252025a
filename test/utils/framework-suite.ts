import { mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { scanForCanaries, textHasCanary } from '@kms-secrets/testkit/leak'
import { freePort } from '@kms-secrets/testkit/process'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { runScript } from './example.js'
import { makeTempDir } from './fixture.js'
import {
  type AppSecrets,
  copyFrameworkApp,
  devProbePaths,
  get,
  pathsServingCanaries,
  readAppSecrets,
  startNodeServer,
} from './framework-app.js'
import { auditFor, type KmsInfo, kmsEnv, readAudit, useKms } from './kms.js'
import { expectedProof, hashLikeFields, newProofKey } from './proof.js'
import { sealFilesInPlace } from './seal.js'

/** What differs between two framework apps; the scenarios (issue 10, done-means 1–4) are the same. */
export interface FrameworkSpec {
  name: 'sveltekit' | 'astro'
  keyId: string
  /** Where the app keeps `db.secret.json`, `api.secret.txt`, `smtp.secret.yaml`. */
  secretDir: string
  /** Outputs and caches a build or dev run writes: scanned for plaintext. */
  outputs: string[]
  /** `node <args>` of the production server (it reads HOST and PORT). */
  serverArgs: string[]
  /** `node <args>` of the dev server on 127.0.0.1:port. */
  devArgs(port: number): string[]
  /** Dev-server URL forms of this framework for a secret file (relative path), besides vite's. */
  devForms(file: string): string[]
  /** A non-secret project file and a piece of it: dev-server probes of it must serve it (the probe works). */
  control: { file: string; text: string }
  /** A prerendered route that reads a secret value: files to add (path → content), its route, the fix to print. */
  prerendered: { files: Record<string, string>; route: string; fix: string }
}

/** The JSON the app's `/api/secrets` answers, computed from the plaintext files (`proof` only under a proof key). */
function expectedApi(s: AppSecrets, proofKey?: string) {
  return {
    ok: true,
    db: { host: s.db.host, port: s.db.port, user: s.db.user, passwordLength: s.db.password.length },
    apiToken: { length: s.apiToken.trim().length },
    smtp: { host: s.smtp.host, user: s.smtp.user, passwordLength: s.smtp.password.length },
    ...(proofKey && {
      proof: expectedProof(proofKey, {
        'db.password': s.db.password,
        apiToken: s.apiToken.trim(),
        'smtp.password': s.smtp.password,
      }),
    }),
  }
}

/** What the index page (SSR, secrets in its server load / frontmatter) shows, with the HMACs under a proof key. */
function expectedPage(s: AppSecrets, proofKey: string): string[] {
  const proof = expectedProof(proofKey, { 'db.password': s.db.password, 'smtp.password': s.smtp.password })
  return [
    `${s.db.user}@${s.db.host} password length ${s.db.password.length}`,
    `${s.smtp.host} password length ${s.smtp.password.length}`,
    ...Object.entries(proof).map(([name, hmac]) => `>${name} ${hmac}</p>`),
  ]
}

/** Decrypt calls for the CMK, plus refused ones by `secretId` (local-kms logs no key for a refused call). */
function decrypts(kms: KmsInfo, keyId: string, secretId: string): number {
  return readAudit(kms).filter((e) => e.action === 'Decrypt' && (e.keyId === keyId || e.secretId === secretId)).length
}

export function describeFrameworkApp(spec: FrameworkSpec): void {
  const kms = useKms()
  const { keyId } = spec
  const files = ['db.secret.json', 'api.secret.txt', 'smtp.secret.yaml'].map((f) => `${spec.secretDir}/${f}`)
  const env = (who: keyof KmsInfo['identities'] | undefined, extra: Record<string, string> = {}) =>
    kmsEnv(kms, who && kms.identities[who], { HOME: work, ASTRO_TELEMETRY_DISABLED: '1', ...extra })
  let work: string
  let app: string
  let secrets: AppSecrets
  /** Test-only HMAC key the apps answer `proof` with (see test/utils/proof.ts); fresh per run. */
  const proofKey = newProofKey()
  const scan = (dir: string) =>
    scanForCanaries(
      spec.outputs.map((o) => join(dir, o)),
      secrets.canaries,
    )

  /** The built app's production server as `who`, on a free port of 127.0.0.1 (with the proof key unless told not to). */
  const serve = async (who: 'runtime' | 'build', proof = true) => {
    const port = await freePort()
    const server = await startNodeServer(
      app,
      spec.serverArgs,
      env(who, { HOST: '127.0.0.1', PORT: String(port), ...(proof && { KMS_EXAMPLE_PROOF_KEY: proofKey }) }),
      /listening on/i,
    )
    return { server, base: `http://127.0.0.1:${port}` }
  }

  beforeAll(() => {
    work = realpathSync(makeTempDir(spec.name))
    app = copyFrameworkApp(spec.name, join(work, 'plain'), spec.outputs)
    secrets = readAppSecrets(app, spec.secretDir)
  })
  afterAll(() => rmSync(work, { recursive: true, force: true }))

  describe(`examples/${spec.name}`, () => {
    test('1, 2: plaintext files + build identity: one GenerateDataKey, no Decrypt, no plaintext in any output', async () => {
      const sealsBefore = auditFor(kms, keyId, 'GenerateDataKey').length + auditFor(kms, keyId, 'Encrypt').length
      const decryptsBefore = decrypts(kms, keyId, kms.identities.build.secretId)
      const built = await runScript(app, 'build', env('build', { KMS_SECRETS_KEY_ID: keyId }))
      expect(built.code, built.out).toBe(0)
      const seals = auditFor(kms, keyId, 'GenerateDataKey').length + auditFor(kms, keyId, 'Encrypt').length
      expect(seals - sealsBefore).toBe(1)
      expect(decrypts(kms, keyId, kms.identities.build.secretId)).toBe(decryptsBefore)
      expect(textHasCanary(built.out, secrets.canaries)).toEqual([])
      const { files: scanned, hits } = scan(app)
      expect(scanned).toBeGreaterThan(10)
      expect(hits).toEqual([])
    })

    test('3: the production server with the Decrypt-only identity serves the values, one Decrypt per process', async () => {
      const before = auditFor(kms, keyId, 'Decrypt').length
      const { server, base } = await serve('runtime')
      try {
        const api = await get(`${base}/api/secrets`)
        expect(api.status, api.body).toBe(200)
        expect(JSON.parse(api.body)).toEqual(expectedApi(secrets, proofKey))
        const page = await get(`${base}/`)
        expect(page.status).toBe(200)
        for (const text of expectedPage(secrets, proofKey)) expect(page.body).toContain(text)
        expect(textHasCanary(api.body + page.body, [secrets.db.password, secrets.smtp.password])).toEqual([])
      } finally {
        await server.stop()
      }
      expect(textHasCanary(server.output(), secrets.canaries)).toEqual([])
      expect(auditFor(kms, keyId, 'Decrypt').length - before).toBe(1)
    })

    test('3: as a user runs it (no test-only proof key), the app answers nothing derived from a secret value', async () => {
      const { server, base } = await serve('runtime', false)
      try {
        const api = await get(`${base}/api/secrets`)
        expect(api.status, api.body).toBe(200)
        expect(hashLikeFields(JSON.parse(api.body))).toEqual([])
        expect(JSON.parse(api.body)).toEqual(expectedApi(secrets))
        const page = await get(`${base}/`)
        expect(page.status).toBe(200)
        expect(page.body).toContain(`${secrets.db.user}@${secrets.db.host} password length`)
        expect(page.body).not.toContain('class="proof"')
      } finally {
        await server.stop()
      }
    })

    test('3: with an identity that may not Decrypt, every secret route answers 500 with a typed error logged', async () => {
      const { server, base } = await serve('build')
      try {
        // Route modules load on first request (SvelteKit and Astro both import pages lazily), so the server starts.
        expect(server.exitCode).toBeUndefined()
        for (const path of ['/', '/api/secrets']) {
          const res = await get(`${base}${path}`)
          expect(res.status, path).toBe(500)
          expect(textHasCanary(res.body, secrets.canaries)).toEqual([])
        }
        expect((await get(`${base}/about`)).status).toBe(200)
      } finally {
        await server.stop()
      }
      expect(server.output()).toContain('ERR_KMS_UNAUTHORIZED')
      expect(textHasCanary(server.output(), secrets.canaries)).toEqual([])
    })

    test('4, 2: the dev server renders with the dev identity and serves no plaintext under any URL form', async () => {
      const port = await freePort()
      const server = await startNodeServer(
        app,
        spec.devArgs(port),
        env('dev', { KMS_SECRETS_KEY_ID: keyId, KMS_EXAMPLE_PROOF_KEY: proofKey }),
        new RegExp(`127\\.0\\.0\\.1:${port}`),
      )
      const base = `http://127.0.0.1:${port}`
      try {
        const api = await get(`${base}/api/secrets`)
        expect(api.status, api.body).toBe(200)
        expect(JSON.parse(api.body)).toEqual(expectedApi(secrets, proofKey))
        const page = await get(`${base}/`)
        for (const text of expectedPage(secrets, proofKey)) expect(page.body).toContain(text)
        // Control: the same URL forms do serve an ordinary server file, so a miss below is the guard, not the probe.
        const control = await get(`${base}/@fs${app}/${spec.control.file}?raw`)
        expect(control.status).toBe(200)
        expect(control.body).toContain(spec.control.text)
        const probes = devProbePaths(app, files, spec.devForms)
        expect(await pathsServingCanaries(base, probes, secrets.canaries)).toEqual([])
      } finally {
        await server.stop()
      }
      expect(textHasCanary(server.output(), secrets.canaries)).toEqual([])
      expect(scan(app).hits).toEqual([])
    })

    test('1: a prerendered route that reads a secret fails the build with ERR_RUNTIME_BUILD_PHASE and the route', async () => {
      const added = Object.keys(spec.prerendered.files).map((f) => join(app, f))
      for (const [file, content] of Object.entries(spec.prerendered.files)) {
        mkdirSync(dirname(join(app, file)), { recursive: true })
        writeFileSync(join(app, file), content)
      }
      try {
        const built = await runScript(app, 'build', env('build', { KMS_SECRETS_KEY_ID: keyId }))
        expect(built.code).not.toBe(0)
        expect(built.out).toContain('ERR_RUNTIME_BUILD_PHASE')
        expect(built.out).toContain(spec.prerendered.route)
        expect(built.out).toContain(spec.prerendered.fix)
        expect(textHasCanary(built.out, secrets.canaries)).toEqual([])
        expect(scan(app).hits).toEqual([])
      } finally {
        for (const file of added) rmSync(file)
      }
    })

    test('1: sealed files and no credentials at all: the build makes no KMS call', async () => {
      const sealed = copyFrameworkApp(spec.name, join(work, 'sealed'), spec.outputs)
      await sealFilesInPlace(sealed, files, { endpoint: kms.endpoint, keyId, identity: kms.identities.build })
      const calls = auditFor(kms, keyId).length
      const built = await runScript(sealed, 'build', env(undefined, { KMS_SECRETS_KEY_ID: keyId }))
      expect(built.code, built.out).toBe(0)
      expect(auditFor(kms, keyId).length).toBe(calls)
      expect(scanForCanaries([sealed], secrets.canaries).hits).toEqual([])
    })
  })
}
