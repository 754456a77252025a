import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { createFakeKms } from '@kms-secrets/testkit/fake-kms'
import { afterEach, describe, expect, it } from 'vitest'
import { loadEsbuild } from './support/esbuild.js'
import { canary, sealOne } from './support/seal.js'

/**
 * Issue 11, runtime weight: the default build (conditions import/require: Node, Bun, Deno) has no WebCrypto open or
 * TC3 signing path — those hosts always have node:crypto — and says, typed, which build to use on a host without
 * it; the web build (conditions workerd, worker, edge-light) keeps both paths (test/workerd.test.ts runs it in
 * workerd). Mode "project" uses WebCrypto for HPKE on every host, in both builds. Reads dist: `pnpm build` first.
 */
const esbuild = loadEsbuild()
const dist = resolve(import.meta.dirname, '../dist')
/** What only the WebCrypto path has: core's web-cipher (HKDF + AES-GCM import, deriveKey) and TC3's HMAC import. */
const webMarkers = ['subtle', 'deriveKey', '"HKDF"', 'importKey("raw"']

async function bundle(specifier: string, conditions: string[], format: 'esm' | 'cjs'): Promise<string> {
  const result = await esbuild!.build({
    stdin: { contents: `export * from ${JSON.stringify(specifier)}`, resolveDir: import.meta.dirname },
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format,
    conditions,
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}
const found = (text: string) => webMarkers.filter((m) => text.includes(m))

describe.skipIf(esbuild === undefined)(
  'the default build leaves the WebCrypto path out; the web build keeps it',
  () => {
    it.each(['esm', 'cjs'] as const)(
      '%s: default conditions → no WebCrypto; workerd, worker, edge-light → both paths',
      async (format) => {
        const node = await bundle('@kms-secrets/runtime', [], format)
        expect(found(node)).toEqual([])
        // The typed error in its place.
        expect(node).toContain('"worker" export condition')
        for (const condition of ['workerd', 'worker', 'edge-light']) {
          const web = await bundle('@kms-secrets/runtime', [condition], format)
          expect(found(web), condition).toEqual(webMarkers)
          expect(web, condition).not.toContain('"worker" export condition')
          // Same API either way.
          expect(web.length, condition).toBeGreaterThan(node.length)
        }
      },
    )

    it('mode "project" keeps its WebCrypto HPKE receiver in both builds', async () => {
      for (const conditions of [[], ['workerd']]) {
        const text = await bundle('@kms-secrets/runtime/project', conditions, 'esm')
        expect(text, String(conditions)).toContain('deriveBits')
        expect(text, String(conditions)).toContain('HPKE-v1')
      }
    })

    it('the CommonJS worker files (node only) have no WebCrypto open path', () => {
      for (const name of ['', '-lean', '-cloud', '-lean-cloud']) {
        const text = readFileSync(resolve(dist, `kms-secrets-worker-standalone${name}.cjs`), 'latin1')
        expect(text.includes('deriveKey') || text.includes('"HKDF"'), name).toBe(false)
      }
    })
  },
)

describe('a host without node:crypto', () => {
  const real = process.getBuiltinModule
  afterEach(() => {
    process.getBuiltinModule = real
  })
  /** As on workerd or a Node before 20.16: no node:crypto to be had. Set before the dist module first looks. */
  const withoutNodeCrypto = () => {
    process.getBuiltinModule = ((id: string) =>
      id === 'node:crypto' || id === 'crypto' ? undefined : real(id)) as typeof process.getBuiltinModule
  }

  it('default build: one typed error naming the conditions, no KMS call, no value', async () => {
    withoutNodeCrypto()
    const { createSecretOpener } = (await import(resolve(dist, 'index.mjs'))) as typeof import('../src/index.js')
    const kms = createFakeKms()
    const [env] = await sealOne(kms, 'json')
    const calls = kms.calls.length
    const error = await (async () =>
      createSecretOpener({ provider: kms }).open(env, { file: 'db.secret.json' }))().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ name: 'KmsSecretsError', code: 'ERR_KMS_CONFIG' })
    expect((error as { hint: string }).hint).toMatch(/"workerd" or "worker" export condition/)
    expect(kms.calls.length).toBe(calls)
    expect(String(error) + (error as { hint: string }).hint).not.toContain(canary.password)
  })

  it('web build: opens with WebCrypto', async () => {
    withoutNodeCrypto()
    const { createSecretOpener } = (await import(resolve(dist, 'web/index.mjs'))) as typeof import('../src/index.js')
    const kms = createFakeKms()
    const [env, value] = await sealOne(kms, 'json')
    await expect(createSecretOpener({ provider: kms }).open(env, { file: 'db.secret.json' })).resolves.toEqual(value)
  })
})
