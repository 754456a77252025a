import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { allowsArbitraryExtensions } from '../src/core/next/build'
import { withKmsSecrets } from '../src/next'

const savedPhase = process.env.KMS_SECRETS_PHASE
afterEach(() => {
  if (savedPhase === undefined) delete process.env.KMS_SECRETS_PHASE
  else process.env.KMS_SECRETS_PHASE = savedPhase
})

describe('withKmsSecrets at next start (phase-production-server): cheap, no build work', () => {
  test('returns the config as given, and leaves the build phase unset', async () => {
    delete process.env.KMS_SECRETS_PHASE
    const nextConfig = { serverExternalPackages: ['pg'], poweredByHeader: false }
    const config = await withKmsSecrets(nextConfig)('phase-production-server', {})
    expect(config).toEqual({ serverExternalPackages: ['pg'], poweredByHeader: false })
    expect(process.env.KMS_SECRETS_PHASE).toBeUndefined()
  })

  test('a config function is called with the phase and context', async () => {
    const seen: string[] = []
    const config = await withKmsSecrets(async (phase) => {
      seen.push(phase)
      return { reactStrictMode: true }
    })('phase-production-server', {})
    expect(seen).toEqual(['phase-production-server'])
    expect(config).toEqual({ reactStrictMode: true })
  })

  test('the ./next entry imports nothing at load but node:process and type-only modules', () => {
    const entry = readFileSync(new URL('../src/next.ts', import.meta.url), 'utf8')
    const config = readFileSync(new URL('../src/core/next/config.ts', import.meta.url), 'utf8')
    expect(entry.match(/^import .*$/gm) ?? []).toEqual([])
    const staticImports = (config.match(/^import (?!type ).*$/gm) ?? []).map((l) => l.replace(/.* from /, ''))
    expect(staticImports).toEqual(["'node:process'"])
  })
})

describe('declarations for Next: only when tsconfig.json allows arbitrary extensions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kms-next-'))
  afterEach(() => rmSync(join(dir, 'tsconfig.json'), { force: true }))

  test.each([
    ['{ "compilerOptions": { "allowArbitraryExtensions": true } }', true],
    ['{ "compilerOptions": { "allowArbitraryExtensions": false } }', false],
    ['{ "compilerOptions": {} }', false],
    [undefined, false],
  ])('%s → %s', (tsconfig, expected) => {
    if (tsconfig !== undefined) writeFileSync(join(dir, 'tsconfig.json'), tsconfig)
    expect(allowsArbitraryExtensions(dir)).toBe(expected)
  })
})
