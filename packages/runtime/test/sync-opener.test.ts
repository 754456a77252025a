import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createFakeKms, type FakeKms } from '@kms-secrets/testkit/fake-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canary, fileOf, sealAll, sources } from './support/seal.js'
import { startTencentServer, type TencentServer } from './support/tencent-server.js'

const distCjs = resolve(import.meta.dirname, '../dist/index.cjs')
const distMjs = resolve(import.meta.dirname, '../dist/index.mjs')
// The test writes only its own small scripts (no secret) to a temp dir; the runtime itself writes nothing.
const dir = mkdtempSync(join(tmpdir(), 'kms-secrets-runtime-sync-'))

let kms: FakeKms
let server: TencentServer
let envelopes: unknown[]
let values: unknown[]

beforeAll(async () => {
  kms = createFakeKms()
  server = await startTencentServer(kms)
  const files = (['json', 'yaml', 'env', 'text'] as const).map((f) => ({ id: fileOf[f], format: f, text: sources[f] }))
  ;({ envelopes, values } = await sealAll(kms, files))
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

function runNode(name: string, source: string, env: Record<string, string> = {}) {
  const file = join(dir, name)
  writeFileSync(file, source)
  const childEnv = {
    PATH: process.env.PATH ?? '',
    TENCENTCLOUD_SECRET_ID: 'AKIDtest',
    TENCENTCLOUD_SECRET_KEY: 'test-secret-key',
    KMS_SECRETS_ENDPOINT: server.endpoint,
    KMS_SECRETS_RETRY_BASE_MS: '1',
    KMS_SECRETS_RETRY_MAX_MS: '5',
    ...env,
  }
  return new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((done) => {
    const started = Date.now()
    execFile(process.execPath, [file], { env: childEnv, timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr, ms: Date.now() - started })
    })
  })
}

const openAll = (list: unknown[]) =>
  `const { openSecretSync } = require(${JSON.stringify(distCjs)})
const envelopes = ${JSON.stringify(list)}
const out = envelopes.map((e) => openSecretSync(e, { file: e.id }))
console.log(JSON.stringify(out))
`

describe('openSecretSync from a CommonJS child process', () => {
  it('returns every value synchronously with ONE Decrypt for the shared data key, then exits by itself', async () => {
    const before = server.requests.length
    // Twice the list: later opens in the same process reuse the worker's cache.
    const r = await runNode('open-all.cjs', openAll([...envelopes, ...envelopes]))
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual([...values, ...values])
    const seen = server.requests.slice(before)
    expect(seen).toHaveLength(1)
    // Production-identical signing: service "kms" for the loopback endpoint too (host as dialled; fetch sets it).
    expect(seen[0]).toMatchObject({ action: 'Decrypt', service: 'kms' })
    expect(seen[0]!.host).toBe(new URL(server.endpoint).host)
  })

  it('brings errors back as KmsSecretsError with the same code and fields', async () => {
    const env = envelopes[0] as { kms: object }
    const bad = { ...env, kms: { ...env.kms, blob: 'AAAA-k-BBBB' } }
    const script = `const { openSecretSync } = require(${JSON.stringify(distCjs)})
try { openSecretSync(${JSON.stringify(bad)}, { file: 'db.secret.json' }); console.log('no error') }
catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, kmsCode: e.kmsCode, requestId: e.requestId, file: e.file, keyId: e.keyId, message: e.message, inst: e instanceof Error })) }
`
    const r = await runNode('error.cjs', script)
    const e = JSON.parse(r.stdout)
    expect(e).toMatchObject({
      name: 'KmsSecretsError',
      code: 'ERR_KMS_INVALID_CIPHERTEXT',
      kmsCode: 'InvalidParameterValue.InvalidCiphertext',
      file: 'db.secret.json',
      inst: true,
    })
    expect(e.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(e.message).toContain(e.requestId)
  })

  it('a custom opener passes its endpoint and retry options to its own worker; close() lets it go', async () => {
    const before = server.requests.length
    const script = `const { createSecretOpener } = require(${JSON.stringify(distCjs)})
const opener = createSecretOpener({ endpoint: ${JSON.stringify(server.endpoint)}, retry: { maxAttempts: 2 } })
const envelopes = ${JSON.stringify(envelopes)}
console.log(JSON.stringify(envelopes.map((e) => opener.openSync(e, { file: e.id }))))
opener.close()
`
    const r = await runNode('custom.cjs', script, { KMS_SECRETS_ENDPOINT: 'http://127.0.0.1:9' })
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual(values)
    expect(server.requests.length - before).toBe(1)
  })

  it('validates on the calling thread: a bad envelope throws at once, without a worker', async () => {
    const script = `const { openSecretSync } = require(${JSON.stringify(distCjs)})
try { openSecretSync({ kmsSecrets: 9 }, { file: 'x.secret.json' }) } catch (e) { console.log(e.code) }
`
    const r = await runNode('bad.cjs', script)
    expect(r.stdout.trim()).toBe('ERR_ENVELOPE_VERSION')
  })

  it('works from ESM too, and the async and sync paths agree', async () => {
    const script = `import { openSecret, openSecretSync } from ${JSON.stringify(distMjs)}
const envelopes = ${JSON.stringify(envelopes)}
const a = envelopes.map((e) => openSecretSync(e, { file: e.id }))
const b = await Promise.all(envelopes.map((e) => openSecret(e, { file: e.id })))
console.log(JSON.stringify([a, b]))
`
    const r = await runNode('both.mjs', script)
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual([values, values])
  })

  it('gives up within the budget on an unreachable KMS, with a typed error and no plaintext', async () => {
    const script = `const { openSecretSync } = require(${JSON.stringify(distCjs)})
try { openSecretSync(${JSON.stringify(envelopes[0])}, { file: 'db.secret.json' }) } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message, hint: e.hint })) }
`
    const r = await runNode('down.cjs', script, {
      KMS_SECRETS_ENDPOINT: 'http://127.0.0.1:9',
      KMS_SECRETS_MAX_ATTEMPTS: '3',
    })
    const e = JSON.parse(r.stdout)
    expect(e.code).toBe('ERR_KMS_NETWORK')
    expect(e.message).toContain('after 3 attempts')
    for (const c of Object.values(canary)) expect(r.stdout + r.stderr).not.toContain(c)
  })
})

describe('@kms-secrets/runtime/sync (what generated CommonJS code imports)', () => {
  const distSync = resolve(import.meta.dirname, '../dist/sync.cjs')
  const worker = resolve(import.meta.dirname, '../dist/kms-secrets-worker.cjs')

  it('loads openSecretSync from kms-secrets-worker.cjs next to it and opens with ONE Decrypt', async () => {
    const before = server.requests.length
    const r = await runNode(
      'open-sync-entry.cjs',
      `const { openSecretSync } = require(${JSON.stringify(distSync)})
const out = ${JSON.stringify(envelopes)}.map((e) => openSecretSync(e, { file: e.id }))
const loaded = Object.keys(require.cache).map((f) => require('node:path').basename(f)).filter((f) => !/^open-/.test(f))
console.log(JSON.stringify({ out, loaded }))
`,
    )
    expect(r.stderr).toBe('')
    const { out, loaded } = JSON.parse(r.stdout) as { out: unknown[]; loaded: string[] }
    expect(out).toEqual(values)
    // The stub itself holds no opener: it required the worker file (the one copy of the runtime), not index.cjs.
    expect(loaded).toContain('kms-secrets-worker.cjs')
    expect(loaded).not.toContain('index.cjs')
    expect(server.requests.slice(before)).toHaveLength(1)
  })

  it('an uncaught failure shows the stub line under its message, not a line of the minified worker file', async () => {
    const r = await runNode(
      'open-sync-uncaught.cjs',
      `const { openSecretSync } = require(${JSON.stringify(distSync)})
openSecretSync(${JSON.stringify(envelopes[0])}, { file: 'db.secret.json' })
`,
      { TENCENTCLOUD_SECRET_ID: '', TENCENTCLOUD_SECRET_KEY: '', HOME: dir },
    )
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/\[ERR_KMS_CREDENTIALS\]/)
    // node prints "<file>:<line>", the source line of the (re)throw and a caret before the stack: ours, short.
    const [where, line] = r.stderr.split('\n')
    expect(where).toMatch(/sync\.cjs:\d+$/)
    expect(line!.length).toBeLessThan(200)
  })

  it("a user's own worker thread may load the worker file: it opens there and does not serve our protocol", async () => {
    const r = await runNode(
      'own-worker.cjs',
      `const { Worker } = require('node:worker_threads')
const w = new Worker(\`const { openSecretSync } = require(${JSON.stringify(worker)})
require('node:worker_threads').parentPort.postMessage(openSecretSync(${JSON.stringify(envelopes[0])}, { file: 'db.secret.json' }))\`, { eval: true, workerData: { port: 1 } })
w.on('message', (v) => { console.log(JSON.stringify(v)); w.terminate() })
w.on('error', (e) => { console.log(JSON.stringify({ error: String(e) })) })
`,
    )
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual(values[0])
  })
})
