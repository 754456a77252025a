import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest'
import {
  allowsArbitraryExtensions,
  plaintextSecretFiles,
  warnTypeScriptBuildInfo,
  withoutTurbopackCache,
} from '../src/core/next/build'
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
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

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

describe("Turbopack's persistent cache: off while a secret file is plaintext (it keeps a hash of each file read)", () => {
  const root = mkdtempSync(join(tmpdir(), 'kms-next-cache-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  mkdirSync(join(root, 'config'))
  mkdirSync(join(root, '.next'))
  writeFileSync(join(root, 'config', 'pin.secret.json'), '{"pin":"4821"}\n')
  writeFileSync(join(root, 'config', 'plain.json'), '{"pin":"1357"}\n')
  writeFileSync(join(root, '.next', 'stale.secret.json'), '{"pin":"0000"}\n')
  copyFileSync(new URL('./fixtures/sealed.secret.json', import.meta.url), join(root, 'config', 'sealed.secret.json'))

  test('plaintextSecretFiles: plaintext secret files only (not sealed ones, not other files, nothing under .next)', () => {
    expect(plaintextSecretFiles({ root })).toEqual(['config/pin.secret.json'])
    rmSync(join(root, 'config', 'pin.secret.json'))
    try {
      expect(plaintextSecretFiles({ root })).toEqual([])
    } finally {
      writeFileSync(join(root, 'config', 'pin.secret.json'), '{"pin":"4821"}\n')
    }
  })

  test('plaintextSecretFiles: a file with the marker whose envelope repeats a key (a value in the first "data") counts as plaintext', () => {
    const sealed = readFileSync(join(root, 'config', 'sealed.secret.json'), 'utf8')
    const crafted = join(root, 'config', 'crafted.secret.json')
    writeFileSync(crafted, `{"data":"4821",${sealed.trimStart().slice(1)}`)
    try {
      expect(plaintextSecretFiles({ root })).toEqual(['config/crafted.secret.json', 'config/pin.secret.json'])
    } finally {
      rmSync(crafted)
    }
  })

  test("the phase's flag is set to false (over a user's true, other experimental keys kept), with one warning", () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const dev = { experimental: { turbopackFileSystemCacheForDev: true, ppr: true } } as Record<string, unknown>
      withoutTurbopackCache(dev, 'phase-development-server', ['config/pin.secret.json'])
      expect(dev.experimental).toEqual({ turbopackFileSystemCacheForDev: false, ppr: true })
      const build = {} as Record<string, unknown>
      withoutTurbopackCache(build, 'phase-production-build', ['config/pin.secret.json'])
      withoutTurbopackCache(build, 'phase-production-build', ['config/pin.secret.json'])
      expect(build.experimental).toEqual({ turbopackFileSystemCacheForBuild: false })
      expect(warn).toHaveBeenCalledTimes(2)
      expect(String(warn.mock.calls[0]![0])).toContain('config/pin.secret.json')
      expect(String(warn.mock.calls[0]![0])).toContain('kms-secrets encrypt')
      expect(String(warn.mock.calls[0]![0])).not.toContain('4821')
    } finally {
      warn.mockRestore()
    }
  })

  test('no plaintext secret file, or another phase: the config is left as it is', () => {
    const config = { experimental: { turbopackFileSystemCacheForDev: true } } as Record<string, unknown>
    withoutTurbopackCache(config, 'phase-development-server', [])
    withoutTurbopackCache(config, 'phase-production-server', ['config/pin.secret.json'])
    expect(config).toEqual({ experimental: { turbopackFileSystemCacheForDev: true } })
  })
})

describe('next build: a warning when TypeScript would record a sha256 of a plaintext JSON secret in .tsbuildinfo', () => {
  test('only for plaintext .json secrets in a TypeScript project without allowArbitraryExtensions, once', () => {
    const root = mkdtempSync(join(tmpdir(), 'kms-next-tsbi-'))
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      writeFileSync(join(root, 'tsconfig.json'), '{ "compilerOptions": {} }')
      expect(warnTypeScriptBuildInfo(root, ['config/pin.secret.json'])).toBe(false) // no TypeScript installed
      mkdirSync(join(root, 'node_modules', 'typescript'), { recursive: true })
      writeFileSync(join(root, 'node_modules', 'typescript', 'package.json'), '{}')
      writeFileSync(join(root, 'tsconfig.json'), '{ "compilerOptions": { "allowArbitraryExtensions": true } }')
      expect(warnTypeScriptBuildInfo(root, ['config/pin.secret.json'])).toBe(false)
      writeFileSync(join(root, 'tsconfig.json'), '{ "compilerOptions": {} }')
      expect(warnTypeScriptBuildInfo(root, ['config/api.secret.txt'])).toBe(false)
      expect(warn).not.toHaveBeenCalled()
      expect(warnTypeScriptBuildInfo(root, ['config/pin.secret.json'])).toBe(true)
      expect(String(warn.mock.calls[0]![0])).toContain('config/pin.secret.json')
      expect(String(warn.mock.calls[0]![0])).toContain('allowArbitraryExtensions')
      expect(warnTypeScriptBuildInfo(root, ['config/pin.secret.json'])).toBe(false)
    } finally {
      warn.mockRestore()
      rmSync(root, { recursive: true, force: true })
    }
  })
})
