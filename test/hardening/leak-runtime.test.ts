import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { encodeEnvelope, type KmsProvider, type SealedEnvelope } from '@kms-secrets/core'
import { createSecretOpener } from '@kms-secrets/runtime'
import { leakedWindow, newCanary, textHasCanary } from '@kms-secrets/testkit/leak'
import { kmsEnv, startTestKms, type TestKms } from '@kms-secrets/testkit/local-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderError } from './support/attempt.js'
import { buildWithRollup, digestEntry } from './support/build.js'
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js'
import { createFigures } from './support/figures.js'
import { adminAndRuntime, type Identity, keyIdFor, newIdentity, providerFor } from './support/kms.js'
import { sealJson } from './support/seal.js'
import { makeWorkDir, runNode } from './support/work.js'

/**
 * What a server process shows when opening secrets succeeds or fails: errors and stacks (real runtime, local-kms over
 * HTTP, also with KMS responses mangled by a hostile middlebox), and its stdout/stderr in success and failure.
 */
const figures = createFigures('leak-runtime')
const canaries = [newCanary('R'), newCanary('S')]
const value = { user: 'app', password: canaries[0] }

const keyId = keyIdFor('leakrt')
const admin = newIdentity('Admin')
const runtimeId = newIdentity('Runtime')
const stranger = newIdentity('Stranger')
const work = makeWorkDir('leak-runtime')
let kms: TestKms
let env: SealedEnvelope
/** The data key, base64 and hex, copied in test memory only: no window of it may appear in any output. */
let dataKey: string[] = []

beforeAll(async () => {
  kms = await startTestKms({
    seed: {
      identities: [...adminAndRuntime(admin, runtimeId, [keyId]), { ...stranger, allow: ['Decrypt'], keys: [] }],
      keys: [{ keyId, alias: 'hard-leak-runtime' }],
    },
  })
  const real = providerFor(kms.endpoint, admin)
  const capturing: KmsProvider = {
    ...real,
    async generateDataKey(req, opts) {
      const res = await real.generateDataKey(req, opts)
      dataKey = [Buffer.from(res.plaintext).toString('base64'), Buffer.from(res.plaintext).toString('hex')]
      return res
    },
  }
  env = await sealJson(capturing, keyId, value)
})
afterAll(async () => {
  figures.write()
  await kms.dispose()
  work.remove()
})

/** No canary in any encoding, and no 8-character window of the data key (base64 or hex). */
function expectNoSecret(where: string, text: string): void {
  expect(textHasCanary(text, canaries), `plaintext in ${where}`).toEqual([])
  for (const k of dataKey) expect(leakedWindow(text, k, 8), `data key bytes in ${where}`).toBeUndefined()
  figures.add('outputsScanned')
}

describe('stack traces and messages of failed decrypts (real runtime, local-kms over HTTP)', () => {
  it('KMS refusals and tampering: error, stack, hint, fields and inspect output hold no value and no key bytes', async () => {
    // The runtime's own transport (TC3 over node:http), as in production, with each identity's credentials.
    const cases: [string, Identity, unknown][] = [
      ['identity without the key', stranger, env],
      ['unknown identity', newIdentity('Nobody'), env],
      ['wrong context', runtimeId, { ...env, context: { app: 'x' } }],
      ['tampered tag', runtimeId, { ...env, tag: 'AAAAAAAAAAAAAAAAAAAAAA==' }],
      ['forged id', runtimeId, { ...env, id: 'other.secret.json' }],
    ]
    for (const [name, who, envelope] of cases) {
      const credential = { secretId: who.secretId, secretKey: who.secretKey }
      const opener = createSecretOpener({ endpoint: kms.endpoint, credential, retry: { maxAttempts: 1 } })
      const error = await opener.open(envelope as SealedEnvelope, { file: 'db.secret.json' }).catch((e: unknown) => e)
      expect((error as { code?: string }).code, name).toMatch(/^ERR_/)
      expectNoSecret(name, renderError(error))
    }
  })
})

describe('a mangled Decrypt response (hostile middlebox): the data key it carries must not reach any message', () => {
  /** Rewrites of the real response body `{"Response":{"KeyId":…,"Plaintext":"<data key>","RequestId":…}}`. */
  const mangles: [string, (body: string) => string][] = [
    ['junk after the Plaintext key', (b) => b.replace('"Plaintext":', '"Plaintext"X')],
    ['junk after the Plaintext value', (b) => b.replace(/("Plaintext":"[^"]*")/, '$1X')],
    ['junk inside the Plaintext value', (b) => b.replace(/("Plaintext":"[^"]{12})/, '$1"X')],
    ['control character inside the value', (b) => b.replace(/("Plaintext":"[^"]{12})/, '$1\u0001')],
    ['cut inside the value', (b) => b.slice(0, b.indexOf('"Plaintext":"') + 30)],
    ['cut after the value', (b) => b.slice(0, b.indexOf('"RequestId"'))],
    ['trailing garbage', (b) => `${b}}}`],
    ['semicolon for a comma', (b) => b.replace(/("Plaintext":"[^"]*"),/, '$1;')],
    ['single-quoted value', (b) => b.replace(/"Plaintext":"([^"]*)"/, '"Plaintext":\'$1\'')],
    ['no Response wrapper', (b) => b.replace('{"Response":', '{"R":')],
  ]
  let proxy: FaultProxy
  beforeAll(async () => {
    proxy = await startFaultProxy(kms.port)
  })
  afterAll(() => proxy.close())

  for (const [name, mangle] of mangles) {
    it(`${name}: runtime error (and core provider error) carry no window of the data key`, async () => {
      proxy.setMode(() => ({ kind: 'mutate', body: (b) => Buffer.from(mangle(b.toString('utf8'))) }))
      const viaProxy = providerFor(proxy.endpoint, runtimeId, 3000)
      const credential = { secretId: runtimeId.secretId, secretKey: runtimeId.secretKey }
      const opener = createSecretOpener({
        endpoint: proxy.endpoint,
        credential,
        retry: { maxAttempts: 1 },
        timeoutMs: 3000,
      })
      const error = await opener.open(env, { file: 'db.secret.json' }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(Error)
      expect(proxy.responses.at(-1)?.toString()).toContain(dataKey[0]!.slice(0, 20))
      expectNoSecret(`runtime: ${name}`, renderError(error))
      // core's provider directly (what the CLI and the plugin use), without the runtime's message scrubbing.
      const direct = await viaProxy
        .decrypt({ ciphertextBlob: env.kms.blob, encryptionContext: '{"kms-secrets":"1"}' })
        .catch((e: unknown) => e)
      expect(direct).toBeInstanceOf(Error)
      expectNoSecret(`core provider: ${name}`, renderError(direct))
      figures.add('mangledResponsesSent', 2)
    })
  }
})

describe('everything a server process prints, in success and in failure (ESM top-level await and CJS sync)', () => {
  const built: Record<'esm' | 'cjs', string> = { esm: '', cjs: '' }
  beforeAll(async () => {
    const root = join(work.dir, 'app')
    mkdirSync(join(root, 'config'), { recursive: true })
    writeFileSync(join(root, 'config', 'db.secret.json'), encodeEnvelope(env))
    writeFileSync(join(root, 'server.mjs'), digestEntry(['db.secret.json']))
    built.esm = await buildWithRollup({
      root,
      entry: 'server.mjs',
      outDir: join(root, 'esm'),
      plugin: { plaintext: 'error' },
    })
    built.cjs = await buildWithRollup({
      root,
      entry: 'server.mjs',
      outDir: join(root, 'cjs'),
      plugin: { plaintext: 'error', sync: true },
      format: 'cjs',
    })
  })

  const fast = { KMS_SECRETS_MAX_ATTEMPTS: '1', KMS_SECRETS_TIMEOUT_MS: '3000' }
  const runs: [string, 'esm' | 'cjs', () => NodeJS.ProcessEnv, number | 'ok', string?][] = [
    ['ESM, success', 'esm', () => kmsEnv(kms.endpoint, runtimeId), 'ok'],
    [
      'ESM, success, NODE_DEBUG=http,net',
      'esm',
      () => kmsEnv(kms.endpoint, runtimeId, { NODE_DEBUG: 'http,net' }),
      'ok',
    ],
    ['CJS sync, success', 'cjs', () => kmsEnv(kms.endpoint, runtimeId), 'ok'],
    ['ESM, identity without the key', 'esm', () => kmsEnv(kms.endpoint, stranger, fast), 1, 'ERR_KMS_UNAUTHORIZED'],
    [
      'CJS sync, identity without the key',
      'cjs',
      () => kmsEnv(kms.endpoint, stranger, fast),
      1,
      'ERR_KMS_UNAUTHORIZED',
    ],
    ['ESM, no credentials', 'esm', () => ({ ...kmsEnv(kms.endpoint, undefined, fast), HOME: work.dir }), 1, 'ERR_KMS_'],
    ['ESM, KMS unreachable', 'esm', () => kmsEnv('http://127.0.0.1:9', runtimeId, fast), 1, 'ERR_KMS_NETWORK'],
  ]
  for (const [name, format, env, expected, code] of runs) {
    it(`${name}: stdout/stderr hold no value and no data-key bytes`, async () => {
      const run = await runNode([built[format]], { env: env(), timeoutMs: 60_000 })
      if (expected === 'ok') {
        expect(run.code, run.stderr.slice(0, 500)).toBe(0)
        expect(run.stdout).toMatch(/^digest [0-9a-f]{64}\n$/)
      } else {
        expect(run.code).not.toBe(0)
        expect(run.stderr).toContain(code)
      }
      expectNoSecret(`${name} stdout`, run.stdout)
      expectNoSecret(`${name} stderr`, run.stderr)
      figures.count('serverRuns', expected === 'ok' ? 'success' : 'failure')
      figures.add('serverOutputBytesScanned', run.stdout.length + run.stderr.length)
    })
  }
})
