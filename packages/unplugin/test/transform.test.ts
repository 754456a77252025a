import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Envelope, encodeEnvelope } from '@kms-secrets/core'
import { describe, expect, it } from 'vitest'
import { syncRuntimeSpecifier } from '../src/core/codegen'
import { createContext } from '../src/core/context'
import { counterIv, counterSalt, createFakeKms } from './helpers/fake-kms'
import { envelopeOf, fixturesDir, tempProject } from './helpers/project'

const fixtures = readdirSync(fixturesDir).filter((f) => /\.secret\.\w+$/.test(f))

/** A context with a deterministic fake KMS and IVs, and a bare runtime specifier: snapshots are stable. */
function loadFixture(root: string, name: string, sync = false) {
  const ctx = createContext(
    {
      root,
      keyId: 'key-a',
      provider: createFakeKms(),
      dts: false,
      runtime: '@kms-secrets/runtime',
      context: { app: 'shop' },
    },
    { env: {}, randomIv: counterIv(), randomSalt: counterSalt() },
  )
  return ctx.load(join(root, name), { sync })
}

describe('generated module per fixture', () => {
  it.each(fixtures)('%s', async (name) => {
    const root = tempProject([name])
    const { code } = await loadFixture(root, name)
    expect(code).toMatchSnapshot()
    // Deterministic: the same input gives the same code.
    expect((await loadFixture(root, name)).code).toBe(code)
    // Second pass: the envelope written back as the file (what `kms-secrets encrypt -i` leaves) changes nothing.
    writeFileSync(join(root, name), encodeEnvelope(envelopeOf(code) as unknown as Envelope))
    expect((await loadFixture(root, name)).code).toBe(code)
  })

  it('sync variant (CommonJS outputs): openSecretSync, no top-level await', async () => {
    const root = tempProject(['db.secret.json'])
    const { code } = await loadFixture(root, 'db.secret.json', true)
    expect(code).toMatchSnapshot()
    expect(code).not.toContain('await')
  })

  it('imports the runtime by its absolute path when the project cannot resolve it', async () => {
    const root = tempProject(['sealed.secret.json'])
    const ctx = createContext({ root, dts: false }, { env: {} })
    const { code } = await ctx.load(join(root, 'sealed.secret.json'), { sync: false })
    expect(code).toMatch(/^import \{ openSecret \} from "\/.*\/runtime\/dist\/index\.mjs";$/m)
    expect(code).not.toContain(root)
  })

  it('sync code imports the /sync stub of the same runtime (never the full entry: CommonJS would ship it twice)', () => {
    expect(syncRuntimeSpecifier('@kms-secrets/runtime')).toBe('@kms-secrets/runtime/sync')
    expect(syncRuntimeSpecifier('/x/node_modules/@kms-secrets/runtime/dist/index.cjs')).toBe(
      '/x/node_modules/@kms-secrets/runtime/dist/sync.cjs',
    )
    expect(syncRuntimeSpecifier('/repo/packages/runtime/dist/index.mjs')).toBe('/repo/packages/runtime/dist/sync.mjs')
    // A `runtime` option naming something else is imported as given.
    expect(syncRuntimeSpecifier('./my-runtime.js')).toBe('./my-runtime.js')
  })
})
