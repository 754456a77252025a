import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  createLeakScanner,
  decodePayload,
  type Envelope,
  openEnvelope,
  parseSecretFile,
  validateEnvelope,
} from '@kms-secrets/core'
import { describe, expect, it } from 'vitest'
import { createContext } from '../src/core/context'
import { counterIv, createFakeKms, createForbiddenKms } from './helpers/fake-kms'
import { envelopeOf, tempProject } from './helpers/project'

const esm = { sync: false }
const plainFiles = ['db.secret.json', 'api.secret.yaml', 'app.secret.env', 'tls.secret.pem', 'token.secret.txt']

function setup(files: string[], options: Parameters<typeof createContext>[0] = {}) {
  const root = tempProject(files)
  const kms = createFakeKms()
  const ctx = createContext(
    { root, keyId: 'key-a', provider: kms, dts: false, ...options },
    { env: {}, randomIv: counterIv() },
  )
  return { root, kms, ctx }
}

const rejects = (p: Promise<unknown>, code: string) => expect(p).rejects.toMatchObject({ code })

describe('createContext: sealing plaintext files', () => {
  it('does ONE GenerateDataKey per build per CMK for 50 plaintext files, with the canonical context', async () => {
    const root = tempProject()
    for (let i = 0; i < 50; i++)
      writeFileSync(join(root, `s${i}.secret.json`), JSON.stringify({ password: `canary-${i}-pw` }))
    const kms = createFakeKms()
    const ctx = createContext(
      { root, keyId: 'key-a', provider: kms, dts: false, context: { app: 'shop' } },
      { env: {} },
    )
    ctx.buildStart()
    await Promise.all(Array.from({ length: 50 }, (_, i) => ctx.load(join(root, `s${i}.secret.json`), esm)))
    ctx.buildEnd()
    expect(kms.count('GenerateDataKey')).toBe(1)
    expect(kms.calls[0]).toEqual({
      action: 'GenerateDataKey',
      keyId: 'key-a',
      encryptionContext: '{"app":"shop","kms-secrets":"1"}',
    })
    // The next build (watch mode) gets a fresh data key: the previous one was zeroed at buildEnd.
    ctx.buildStart()
    await ctx.load(join(root, 's0.secret.json'), esm)
    expect(kms.count('GenerateDataKey')).toBe(2)
  })

  it.each(plainFiles)('seals %s so that KMS + the AAD give back the parsed value', async (name) => {
    const { root, kms, ctx } = setup([name])
    const { code } = await ctx.load(join(root, name), esm)
    const envelope = validateEnvelope(envelopeOf(code), name) as Envelope
    expect(envelope).toMatchObject({ id: name, mode: 'envelope', kms: { keyId: 'key-a', region: 'ap-test' } })
    const value = decodePayload(await openEnvelope(envelope, { provider: kms, expectedId: name }), envelope.format)
    const original = readFileSync(join(root, name), 'utf8')
    expect(value).toEqual(parseSecretFile(original, envelope.format, name).value)
    // No plaintext leaf of the file in the generated module, in any encoding.
    expect(createLeakScanner([{ file: name, value }]).scan(code, 'module.js')).toEqual([])
  })

  it('Precondition: plaintext files are forbidden with plaintext: "error"', async () => {
    const { root, ctx, kms } = setup(['db.secret.json'], { plaintext: 'error' })
    // The error names the fix: seal the file with the CLI.
    await expect(ctx.load(join(root, 'db.secret.json'), esm)).rejects.toMatchObject({
      code: 'ERR_PLUGIN_PLAINTEXT_FORBIDDEN',
      hint: expect.stringContaining('kms-secrets encrypt db.secret.json'),
    })
    expect(kms.calls).toEqual([])
  })

  it('Precondition: a plaintext file needs a keyId', async () => {
    const { root, ctx } = setup(['db.secret.json'], { keyId: undefined })
    await rejects(ctx.load(join(root, 'db.secret.json'), esm), 'ERR_PLUGIN_OPTIONS')
  })

  it('reports malformed plaintext with ERR_SECRET_PARSE and never quotes it', async () => {
    const { root, ctx } = setup([])
    writeFileSync(join(root, 'bad.secret.json'), '{"password": "canary-bad-json",,}')
    const error = await ctx.load(join(root, 'bad.secret.json'), esm).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_SECRET_PARSE' })
    expect(String((error as Error).message)).not.toContain('canary-bad-json')
  })
})

describe('createContext: sealed files', () => {
  it('embeds a sealed file as is: byte-identical output twice, zero KMS calls, no credentials', async () => {
    const root = tempProject(['sealed.secret.json'])
    const load = () => {
      const ctx = createContext({ root, provider: createForbiddenKms(), dts: false }, { env: {} })
      return ctx.load(join(root, 'sealed.secret.json'), esm)
    }
    const [a, b] = [await load(), await load()]
    expect(a.code).toBe(b.code)
    expect(envelopeOf(a.code)).toEqual(JSON.parse(readFileSync(join(root, 'sealed.secret.json'), 'utf8')))
    // And without any provider or env at all: nothing asks for credentials.
    const bare = createContext({ root, dts: false }, { env: {} })
    expect((await bare.load(join(root, 'sealed.secret.json'), esm)).code).toBe(a.code)
  })

  it('Precondition: the envelope id matches the file name', async () => {
    const root = tempProject(['sealed.secret.json'])
    writeFileSync(join(root, 'moved.secret.json'), readFileSync(join(root, 'sealed.secret.json')))
    const ctx = createContext({ root, dts: false }, { env: {} })
    const error = await ctx.load(join(root, 'moved.secret.json'), esm).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_ENVELOPE_MISMATCH' })
    expect((error as Error).message).toContain('sealed.secret.json')
    expect((error as Error).message).toContain('moved.secret.json')
  })

  it('rejects a damaged envelope with its typed error', async () => {
    const root = tempProject()
    writeFileSync(join(root, 'x.secret.json'), '{"kmsSecrets": 9, "alg": "AES-256-GCM"}')
    const ctx = createContext({ root, dts: false }, { env: {} })
    await rejects(ctx.load(join(root, 'x.secret.json'), esm), 'ERR_ENVELOPE_VERSION')
  })
})

describe('createContext: ids and guards', () => {
  it('matches secret ids, with a query too, but never \\0 ids or other files', () => {
    const { root, ctx } = setup([], { exclude: ['**/legacy/**'] })
    expect(ctx.matches(join(root, 'db.secret.json'))).toBe(true)
    expect(ctx.matches(`${join(root, 'db.secret.yaml')}?import`)).toBe(true)
    expect(ctx.matches(`\0${join(root, 'db.secret.json')}`)).toBe(false)
    expect(ctx.matches(join(root, 'package.json'))).toBe(false)
    expect(ctx.matches(join(root, 'db.secret.d.json.ts'))).toBe(false)
    expect(ctx.matches(join(root, 'legacy/db.secret.json'))).toBe(false)
  })

  it.each(['raw', 'url', 'inline', 'worker', 'init'])('refuses ?%s imports with ERR_PLUGIN_RAW_IMPORT', async (q) => {
    const { root, ctx, kms } = setup(['db.secret.json'])
    const target = { sync: false, importers: () => ['src/server.ts'] }
    const error = await ctx.load(`${join(root, 'db.secret.json')}?${q}`, target).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_PLUGIN_RAW_IMPORT' })
    expect((error as Error).message).toContain('src/server.ts')
    expect(kms.calls).toEqual([])
  })

  it('accepts the queries vite adds itself (?import, ?v=, ?t=)', async () => {
    const { root, ctx } = setup(['db.secret.json'])
    await expect(ctx.load(`${join(root, 'db.secret.json')}?import&t=123`, esm)).resolves.toBeDefined()
  })

  it('fails a client (browser) target with ERR_PLUGIN_CLIENT_BUNDLE naming the importer chain', async () => {
    const { root, ctx, kms } = setup(['db.secret.json'])
    const target = { sync: false, client: 'vite client environment', importers: () => ['src/db.ts', 'src/main.ts'] }
    const error = await ctx.load(join(root, 'db.secret.json'), target).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_PLUGIN_CLIENT_BUNDLE' })
    expect((error as Error).message).toContain('src/main.ts → src/db.ts → db.secret.json')
    expect(kms.calls).toEqual([])
  })
})

describe('createContext: leak tracking and types', () => {
  it('keeps plaintext only for the build-mode leak check, and drops it after', async () => {
    const { root, ctx } = setup(['db.secret.json', 'sealed.secret.json'])
    await ctx.load(join(root, 'db.secret.json'), esm)
    await ctx.load(join(root, 'sealed.secret.json'), esm)
    const hits = ctx.scanAssets([{ name: 'out.js', content: 'x="canary-db-password-7f3a"' }])
    expect(hits).toEqual([{ asset: 'out.js', file: 'db.secret.json', path: '$.password', encoding: 'raw' }])
    ctx.endLeakCheck()
    expect(ctx.scanAssets([{ name: 'out.js', content: 'canary-db-password-7f3a' }])).toEqual([])
  })

  it('keeps no plaintext at all in serve mode (vite dev)', async () => {
    const { root, ctx } = setup(['db.secret.json'])
    ctx.setMode('serve')
    await ctx.load(join(root, 'db.secret.json'), esm)
    expect(ctx.scanAssets([{ name: 'a.js', content: 'canary-db-password-7f3a' }])).toEqual([])
  })

  it('keeps no plaintext at all with leakCheck: false', async () => {
    const { root, ctx } = setup(['db.secret.json'], { leakCheck: false })
    await ctx.load(join(root, 'db.secret.json'), esm)
    expect(ctx.scanAssets([{ name: 'a.js', content: 'canary-db-password-7f3a' }])).toEqual([])
  })

  it('tracks which files got top-level-await code (for the output-format check)', async () => {
    const { root, ctx } = setup(['db.secret.json', 'token.secret.txt'])
    await ctx.load(join(root, 'db.secret.json'), esm)
    await ctx.load(join(root, 'token.secret.txt'), { sync: true })
    expect([...ctx.asyncFiles]).toEqual(['db.secret.json'])
    ctx.buildStart()
    expect(ctx.asyncFiles.size).toBe(0)
  })

  it('writes <name>.d.<ext>.ts from the shape when dts is on', async () => {
    const { root, ctx } = setup(['db.secret.json', 'token.secret.txt'], { dts: true })
    await ctx.load(join(root, 'db.secret.json'), esm)
    await ctx.load(join(root, 'token.secret.txt'), esm)
    const dts = readFileSync(join(root, 'db.secret.d.json.ts'), 'utf8')
    expect(dts).toContain('export declare const password: string')
    expect(dts).not.toContain('canary')
    expect(readFileSync(join(root, 'token.secret.d.txt.ts'), 'utf8')).toContain('declare const secret: string')
    expect(existsSync(join(root, 'api.secret.d.yaml.ts'))).toBe(false)
  })
})
