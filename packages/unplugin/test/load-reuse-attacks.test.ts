import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createContext } from '../src/core/context'
import { envelopeOf, tempProject } from './helpers/project'

/**
 * Attacks on the generated-module reuse of sealed files (context.ts `sealedModules`): a file whose module was
 * generated once is replaced, between two loads of one plugin instance (watch, HMR, rebuild), by text that must be
 * refused — another file's envelope, another context, another CMK, plaintext under `plaintext: 'error'`. The cached
 * module of the old text must never come back for the new text: each is checked as on a first load.
 */
const esm = { sync: false }

function setup() {
  const root = tempProject(['sealed.secret.json'])
  const path = join(root, 'sealed.secret.json')
  const sealed = readFileSync(path, 'utf8')
  const ctx = createContext(
    { root, dts: false, context: { app: 'shop' }, keyIds: ['key-a'], plaintext: 'error' },
    { env: {} },
  )
  return { path, sealed, ctx, envelope: JSON.parse(sealed) as Record<string, unknown> }
}

describe('a cached sealed module never stands in for changed text', () => {
  it.each([
    [
      'the envelope of another file',
      (e: Record<string, unknown>) => ({ ...e, id: 'other.secret.json' }),
      'ERR_ENVELOPE_MISMATCH',
    ],
    [
      'another encryption context',
      (e: Record<string, unknown>) => ({ ...e, context: { app: 'evil' } }),
      'ERR_ENVELOPE_CONTEXT',
    ],
    [
      'another CMK',
      (e: Record<string, unknown>) => ({ ...e, kms: { ...(e.kms as object), keyId: 'key-z' } }),
      'ERR_ENVELOPE_KEY',
    ],
    ['an unknown field', (e: Record<string, unknown>) => ({ ...e, note: 'x' }), 'ERR_ENVELOPE_FIELD'],
  ])('%s: refused after the genuine text was loaded, and the genuine text loads again', async (_, edit, code) => {
    const { path, sealed, ctx, envelope } = setup()
    ctx.buildStart()
    const first = (await ctx.load(path, esm)).code
    expect(envelopeOf(first)).toEqual(envelope)
    writeFileSync(path, `${JSON.stringify(edit(envelope), null, 2)}\n`)
    await expect(ctx.load(path, esm)).rejects.toMatchObject({ code })
    // Refused again (a failed load leaves nothing to reuse), then the genuine text gives the genuine module.
    await expect(ctx.load(path, esm)).rejects.toMatchObject({ code })
    writeFileSync(path, sealed)
    expect((await ctx.load(path, esm)).code).toBe(first)
    ctx.buildEnd()
  })

  it('plaintext in place of the sealed file fails under plaintext: "error", naming no value', async () => {
    const { path, ctx } = setup()
    ctx.buildStart()
    await ctx.load(path, esm)
    writeFileSync(path, JSON.stringify({ apiKey: 'CANARY-reuse-plain', region: 'x' }))
    const e = await ctx.load(path, esm).catch((x: unknown) => x)
    expect(e).toMatchObject({ code: 'ERR_PLUGIN_PLAINTEXT_FORBIDDEN' })
    expect(
      JSON.stringify({ ...(e as object), message: (e as Error).message, stack: (e as Error).stack }),
    ).not.toContain('CANARY-reuse-plain')
    ctx.buildEnd()
  })

  it('the same text under two paths gives each its own check: a copy under another name is refused', async () => {
    const { path, sealed, ctx } = setup()
    const copy = join(path, '..', 'copy.secret.json')
    writeFileSync(copy, sealed)
    ctx.buildStart()
    await ctx.load(path, esm)
    await expect(ctx.load(copy, esm)).rejects.toMatchObject({ code: 'ERR_ENVELOPE_MISMATCH' })
    ctx.buildEnd()
  })
})
