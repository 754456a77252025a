import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { build, rolldown } from 'rolldown'
import { rollup } from 'rollup'
import { describe, expect, it } from 'vitest'
import kmsRolldown from '../src/rolldown'
import kmsRollup from '../src/rollup'
import { canaries, createApp, expectNoPlaintext } from './helpers/app'

const external = ['@kms-secrets/runtime']

async function fails(p: Promise<unknown>): Promise<Record<string, unknown>> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e, 'the build should have failed').toBeDefined()
  return e as Record<string, unknown>
}

describe('rollup', () => {
  it('es output: ciphertext + openSecret, one GenerateDataKey, no plaintext', async () => {
    const app = createApp()
    const bundle = await rollup({ input: join(app.root, 'src/server.js'), external, plugins: [kmsRollup(app.plugin)] })
    await bundle.write({ dir: app.out, format: 'es', sourcemap: true })
    await bundle.close()
    const text = expectNoPlaintext(app.out)
    expect(text).toContain('await openSecret(')
    expect(text).toContain('"id":"db.secret.json"')
    expect(app.kms.count('GenerateDataKey')).toBe(1)
  })

  it('cjs output with top-level-await modules: ERR_PLUGIN_OUTPUT_FORMAT before writing', async () => {
    const app = createApp()
    const bundle = await rollup({ input: join(app.root, 'src/server.js'), external, plugins: [kmsRollup(app.plugin)] })
    const e = await fails(bundle.write({ dir: app.out, format: 'cjs' }))
    expect(e.pluginCode).toBe('ERR_PLUGIN_OUTPUT_FORMAT')
    expect(String(e.message)).toContain("output.format: 'es'")
    expect(existsSync(app.out)).toBe(false)
  })

  it('cjs output with sync: true: openSecretSync, no top-level await', async () => {
    const app = createApp()
    const plugin = kmsRollup({ ...app.plugin, sync: true })
    const bundle = await rollup({ input: join(app.root, 'src/server.js'), external, plugins: [plugin] })
    await bundle.write({ dir: app.out, format: 'cjs' })
    const text = expectNoPlaintext(app.out)
    expect(text).toContain('openSecretSync(')
    expect(text).not.toContain('await')
  })

  it('a plaintext value copied into the output fails the build with ERR_PLUGIN_LEAK (path, never value)', async () => {
    const app = createApp({ 'src/server.js': `import db from './db.js'\nexport const oops = '${canaries[0]}'\n` })
    const bundle = await rollup({ input: join(app.root, 'src/server.js'), external, plugins: [kmsRollup(app.plugin)] })
    const e = await fails(bundle.write({ dir: app.out, format: 'es' }))
    expect(e.pluginCode).toBe('ERR_PLUGIN_LEAK')
    expect(String(e.message)).toContain('src/config/db.secret.json $.password (raw)')
    expect(String(e.message)).not.toContain(canaries[0])
    expect(existsSync(app.out)).toBe(false)
  })

  it('plaintext: "error" fails on a plaintext file, naming the fix', async () => {
    const app = createApp()
    const plugin = kmsRollup({ ...app.plugin, plaintext: 'error' })
    const e = await fails(rollup({ input: join(app.root, 'src/server.js'), external, plugins: [plugin] }))
    expect(e.pluginCode).toBe('ERR_PLUGIN_PLAINTEXT_FORBIDDEN')
    expect(String(e.message)).toContain('kms-secrets encrypt')
    expect(app.kms.calls).toEqual([])
  })
})

describe('rolldown', () => {
  it('esm output works; cjs output says what to set', async () => {
    const app = createApp()
    const input = { input: join(app.root, 'src/server.js'), external, plugins: [kmsRolldown(app.plugin)] }
    const bundle = await rolldown(input)
    await bundle.write({ dir: app.out, format: 'esm' })
    expect(expectNoPlaintext(app.out)).toContain('await openSecret(')
    const e = await fails(bundle.write({ dir: join(app.root, 'cjs'), format: 'cjs' }))
    expect(JSON.stringify(e) + String(e.message)).toContain('ERR_PLUGIN_OUTPUT_FORMAT')
    await bundle.close()
  })

  it('rolldown.build() with output.format cjs: the format is known before the build, so sync code', async () => {
    const app = createApp()
    const input = { input: join(app.root, 'src/server.js'), external, plugins: [kmsRolldown(app.plugin)] }
    await build({ ...input, output: { dir: app.out, format: 'cjs' } })
    const text = expectNoPlaintext(app.out)
    expect(text).toMatch(/openSecretSync\)?\(/)
    expect(text).not.toContain('await')
  })

  it("platform: 'browser' trips the client guard, naming the importer chain", async () => {
    const app = createApp()
    const input = { input: join(app.root, 'src/server.js'), external, platform: 'browser' as const }
    const e = await fails(rolldown({ ...input, plugins: [kmsRolldown(app.plugin)] }).then((b) => b.generate()))
    expect(String(e.message)).toContain('ERR_PLUGIN_CLIENT_BUNDLE')
    expect(String(e.message)).toMatch(/src\/server\.js → (src\/db\.js → )?src\/config\/(db|token)\.secret\./)
  })
})
