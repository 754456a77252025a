import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test, vi } from 'vitest'
import { configureBuild, keptDevCacheDir, type NextLoaderOptions } from '../src/core/next/build'
import kmsSecretsNextLoader from '../src/core/next/loader'

/**
 * `next dev` decides about Turbopack's filesystem cache once, at start: on when every secret file is sealed. A
 * secret file that turns plaintext while it runs (a new secret, `decrypt -o`) is hashed into the cache by Turbopack
 * before the loader sees it — a 4-digit PIN is then recoverable (SECURITY.md §7). The loader cannot undo that, but it
 * must say so: one warning naming the file and the cache dir to delete, never the value.
 */
const made: string[] = []
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function project() {
  const root = mkdtempSync(join(tmpdir(), 'kms-next-devcache-'))
  made.push(root)
  mkdirSync(join(root, 'config'))
  writeFileSync(join(root, 'config', 'pin.secret.json'), '{"pin":"4821"}\n')
  copyFileSync(new URL('./fixtures/sealed.secret.json', import.meta.url), join(root, 'config', 'sealed.secret.json'))
  return root
}

/** Runs the loader once as Turbopack would; resolves with its warnings and outcome. */
function load(file: string, options: NextLoaderOptions) {
  const warnings: string[] = []
  return new Promise<{ warnings: string[]; error?: unknown; code?: string }>((resolve) => {
    kmsSecretsNextLoader.call({
      resourcePath: file,
      getOptions: () => options,
      async: () => (error: unknown, code?: string) => resolve({ warnings, error, code }),
      emitWarning: (w: Error) => warnings.push(w.message),
    })
  })
}

describe('next dev with the Turbopack cache kept on: a secret file found plaintext is reported', () => {
  // plaintext: 'error' keeps the test offline (no GenerateDataKey): Turbopack has read the file either way.
  const root = project()
  const plugin = { root, plaintext: 'error' as const }
  const cache = '.next/dev/cache/turbopack'

  test('plaintext: one warning naming the file and the dir to delete, not the value; once per file', async () => {
    const path = join(root, 'config', 'pin.secret.json')
    const first = await load(path, { plugin, turbopackCache: cache })
    expect(first.warnings).toHaveLength(1)
    expect(first.warnings[0]).toContain('config/pin.secret.json')
    expect(first.warnings[0]).toContain(cache)
    expect(first.warnings[0]).not.toContain('4821')
    expect(first.error).toMatchObject({ message: expect.stringContaining('ERR_PLUGIN_PLAINTEXT_FORBIDDEN') })
    expect((await load(path, { plugin, turbopackCache: cache })).warnings).toEqual([])
  })

  test('a file with the marker whose envelope repeats a key (a value in the first "data"): warned, and refused', async () => {
    const sealed = readFileSync(join(root, 'config', 'sealed.secret.json'), 'utf8')
    const path = join(root, 'config', 'crafted.secret.json')
    writeFileSync(path, `{"data":"4821",${sealed.trimStart().slice(1)}`)
    const crafted = await load(path, { plugin, turbopackCache: cache })
    expect(crafted.warnings).toHaveLength(1)
    expect(crafted.warnings[0]).toContain('config/crafted.secret.json')
    expect(crafted.warnings[0]).not.toContain('4821')
    expect(crafted.error).toMatchObject({ message: expect.stringContaining('ERR_ENVELOPE_PARSE') })
    expect(String((crafted.error as Error).message)).not.toContain('4821')
  })

  test('a sealed file, or a dev server whose cache is off: no warning', async () => {
    const sealed = await load(join(root, 'config', 'sealed.secret.json'), { plugin, turbopackCache: cache })
    expect(sealed.warnings).toEqual([])
    expect(sealed.code).toContain('openSecret(')
    const off = await load(join(root, 'config', 'pin.secret.json'), { plugin })
    expect(off.warnings).toEqual([])
  })
})

describe('which dev servers keep the cache (and so pass its dir to the loader)', () => {
  test.each([
    ['next dev, cache on by default', 'phase-development-server', {}, '.next/dev/cache/turbopack'],
    ['next dev, a custom distDir', 'phase-development-server', { distDir: 'out' }, 'out/dev/cache/turbopack'],
    [
      'next dev, cache off (plaintext at start, or the user)',
      'phase-development-server',
      { experimental: { turbopackFileSystemCacheForDev: false } },
      undefined,
    ],
    ['next build (decided once, before any file is read)', 'phase-production-build', {}, undefined],
  ])('%s', (_, phase, config, expected) => {
    expect(keptDevCacheDir(config, phase)).toBe(expected)
  })
})

describe('withKmsSecrets for next dev: the loader options carry the cache dir exactly when the cache stays on', () => {
  function rulesOf(config: Record<string, unknown>): NextLoaderOptions[] {
    const rules = (config.turbopack as { rules: Record<string, { loaders: { options: NextLoaderOptions }[] }[]> }).rules
    return rules['*.secret.json']!.map((r) => r.loaders[0]!.options)
  }

  test.each([
    ['every secret file sealed', false, '.next/dev/cache/turbopack'],
    ['a secret file plaintext at start (cache off)', true, undefined],
  ])('%s', async (_, plaintext, expected) => {
    const root = project()
    if (!plaintext) copyFileSync(join(root, 'config', 'sealed.secret.json'), join(root, 'config', 'pin.secret.json'))
    // Only its presence is checked: the generated modules import the runtime by name from the project.
    mkdirSync(join(root, 'node_modules', '@kms-secrets', 'runtime'), { recursive: true })
    writeFileSync(
      join(root, 'node_modules', '@kms-secrets', 'runtime', 'package.json'),
      '{"name":"@kms-secrets/runtime"}',
    )
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const config = await configureBuild({}, 'phase-development-server', { root })
      // Both rules (server, and the browser/edge guard): Turbopack reads and hashes the file for either.
      expect(rulesOf(config).map((o) => o.turbopackCache)).toEqual([expected, expected])
    } finally {
      warn.mockRestore()
    }
  })
})
