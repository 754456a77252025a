import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { LoadHost } from '../src/core/bundlers/adapter'
import { rollupAdapter } from '../src/core/bundlers/rollup'
import { createContext } from '../src/core/context'
import { loadSecret } from '../src/core/load'
import { toVirtualSecretId } from '../src/core/virtual-id'
import { counterIv, createFakeKms } from './helpers/fake-kms'
import { envelopeOf, tempProject } from './helpers/project'

const esm = { sync: false }

function host(meta?: { watchMode?: boolean }) {
  const watched: string[] = []
  const self: LoadHost = {
    warn: () => {},
    addWatchFile: (file) => watched.push(file),
    ...(meta ? { meta } : {}),
  }
  return { self, watched }
}

describe('watch files (rollup, rolldown, vite build): only when something watches', () => {
  it.each([
    ['a watch build', { watchMode: true }, true],
    ['a bundler that does not say', undefined, true],
    ['a one-shot build', { watchMode: false }, false],
  ])('%s', async (_, meta, expected) => {
    const root = tempProject(['sealed.secret.json'])
    const ctx = createContext({ root, dts: false }, { env: {} })
    const path = join(root, 'sealed.secret.json')
    const { self, watched } = host(meta)
    ctx.buildStart()
    const code = await loadSecret(ctx, rollupAdapter, self, toVirtualSecretId(path))
    expect(code).toContain('openSecret(')
    expect(watched).toEqual(expected ? [path] : [])
  })
})

describe('a sealed file loaded again (rebuild, watch, HMR)', () => {
  it('gives the same module while its text is unchanged, and follows every change of the text', async () => {
    const root = tempProject(['sealed.secret.json'])
    const kms = createFakeKms()
    const ctx = createContext({ root, keyId: 'key-a', provider: kms, dts: false }, { env: {}, randomIv: counterIv() })
    const path = join(root, 'sealed.secret.json')
    const sealed = readFileSync(path, 'utf8')
    ctx.buildStart()
    const first = (await ctx.load(path, esm)).code
    expect((await ctx.load(path, esm)).code).toBe(first)
    // Another runtime entry or sync code: another module.
    expect((await ctx.load(path, { sync: true })).code).not.toBe(first)

    // Tampered: validated again, refused.
    const envelope = JSON.parse(sealed) as Record<string, unknown>
    writeFileSync(path, JSON.stringify({ ...envelope, v: 99 }))
    await expect(ctx.load(path, esm)).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_/) })

    // Replaced by plaintext: sealed afresh (a KMS call), never the module of the old ciphertext.
    writeFileSync(path, JSON.stringify({ password: 'canary-reuse-pw' }))
    const plain = (await ctx.load(path, esm)).code
    expect(kms.count('GenerateDataKey')).toBe(1)
    expect(plain).not.toBe(first)
    expect(plain).not.toContain('canary-reuse-pw')
    expect(envelopeOf(plain).id).toBe('sealed.secret.json')
    // Plaintext is not remembered: a second load seals again (same build: same data key, fresh IV).
    const again = (await ctx.load(path, esm)).code
    expect(again).not.toBe(plain)
    ctx.buildEnd()

    writeFileSync(path, sealed)
    ctx.buildStart()
    expect((await ctx.load(path, esm)).code).toBe(first)
    ctx.buildEnd()
  })
})
