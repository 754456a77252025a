import { secretFileRE } from '@kms-secrets/core'
import { describe, expect, it } from 'vitest'
import { hasTypeScript, resolveOptions } from '../src/core/options'
import { resolveRuntimeEntry, runtimeSpecifierFor } from '../src/core/runtime-path'
import { tempProject } from './helpers/project'

const env = {
  KMS_SECRETS_KEY_ID: 'env-key',
  TENCENTCLOUD_REGION: 'ap-env',
  KMS_SECRETS_ENDPOINT: 'http://127.0.0.1:4599',
}

describe('resolveOptions', () => {
  it('reads keyId, region and endpoint from the env by default', () => {
    const o = resolveOptions({}, env)
    expect([o.keyId, o.region, o.endpoint]).toEqual(['env-key', 'ap-env', 'http://127.0.0.1:4599'])
  })

  it('prefers explicit options over the env, and ignores blank values', () => {
    const o = resolveOptions({ keyId: 'opt-key', region: '  ', endpoint: 'https://kms.example' }, env)
    expect([o.keyId, o.region, o.endpoint]).toEqual(['opt-key', 'ap-env', 'https://kms.example'])
    expect(resolveOptions({}, { KMS_SECRETS_KEY_ID: '' }).keyId).toBeUndefined()
  })

  it('has documented defaults', () => {
    const o = resolveOptions({ root: tempProject() }, {})
    expect(o).toMatchObject({ plaintext: 'seal', sync: 'auto', leakCheck: true, leakIgnore: [], context: {} })
    expect(o.cloud).toBe(false) // the lean runtime; `@kms-secrets/runtime/cloud` is loaded from node_modules when needed
    expect(o.include).toEqual([secretFileRE])
    expect(o.exclude).toEqual([])
    expect(o.dts).toBe(false) // no typescript resolvable from an empty temp dir
    expect(o.runtime).toBeUndefined() // decided per project root
  })

  it('defaults dts to true where typescript resolves (like unplugin-auto-import)', () => {
    expect(hasTypeScript(import.meta.dirname)).toBe(true)
    expect(resolveOptions({ root: import.meta.dirname }, {}).dts).toBe(true)
    expect(resolveOptions({ root: import.meta.dirname, dts: false }, {}).dts).toBe(false)
  })

  it('takes leakCheck as a boolean or { ignore }', () => {
    expect(resolveOptions({ leakCheck: false }, {}).leakCheck).toBe(false)
    const o = resolveOptions({ leakCheck: { ignore: ['$.host'] } }, {})
    expect([o.leakCheck, o.leakIgnore]).toEqual([true, ['$.host']])
  })

  it.each([
    ['context is not an object', { context: 'app=shop' }],
    ['context has a non-string value', { context: { port: 5432 } }],
    ['plaintext is unknown', { plaintext: 'allow' }],
    ['sync is unknown', { sync: 'yes' }],
    ['cloud is not a boolean', { cloud: 'yes' }],
  ])('Precondition: options are valid — %s → ERR_PLUGIN_OPTIONS', (_, bad) => {
    expect(() => resolveOptions(bad as never, {})).toThrow(expect.objectContaining({ code: 'ERR_PLUGIN_OPTIONS' }))
  })
})

describe('runtime specifier', () => {
  it("resolveRuntimeEntry is the absolute path of @kms-secrets/runtime's ESM entry", () => {
    expect(resolveRuntimeEntry()).toMatch(/\/packages\/runtime\/dist\/index\.mjs$/)
  })

  it('is the bare specifier where the project resolves the same runtime package', () => {
    expect(runtimeSpecifierFor(import.meta.dirname)).toBe('@kms-secrets/runtime')
  })

  it("is the plugin's own absolute path where the project cannot resolve it", () => {
    expect(runtimeSpecifierFor(tempProject())).toBe(resolveRuntimeEntry())
  })
})
