import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * Dependency direction (STYLE §2), read from the package.json files so a stray dependency fails CI:
 * local-kms depends on nothing of ours, core on nothing of ours, runtime only on core (its open path),
 * unplugin and cli on core (unplugin also names runtime, whose path it resolves for generated code).
 */
const root = join(import.meta.dirname, '..')
const allowed: Record<string, string[]> = {
  '@kms-secrets/local-kms': [],
  '@kms-secrets/core': [],
  '@kms-secrets/runtime': ['@kms-secrets/core'],
  'unplugin-kms-secrets': ['@kms-secrets/core', '@kms-secrets/runtime'],
  '@kms-secrets/cli': ['@kms-secrets/core', '@kms-secrets/local-kms'],
}

interface Manifest {
  name: string
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
}

function readManifests(): Manifest[] {
  const dir = join(root, 'packages')
  return readdirSync(dir).map((name) => JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8')) as Manifest)
}

function ours(name: string): boolean {
  return name.startsWith('@kms-secrets/') || name === 'unplugin-kms-secrets'
}

describe('package dependency direction', () => {
  const manifests = readManifests()

  it('knows every package', () => {
    expect(manifests.map((m) => m.name).sort()).toEqual(Object.keys(allowed).sort())
  })

  for (const m of manifests) {
    it(`${m.name} depends only on what it may`, () => {
      const deps = Object.keys({ ...m.dependencies, ...m.peerDependencies }).filter(ours)
      expect(deps.filter((d) => !allowed[m.name]?.includes(d))).toEqual([])
    })
  }

  it('runtime imports only the open path of core', () => {
    const src = join(root, 'packages/runtime/src')
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))
    const bad = files.filter((f) => /from '@kms-secrets\/core'/.test(readFileSync(join(src, f), 'utf8')))
    expect(bad).toEqual([])
  })

  it('no bundler is a hard dependency of the plugin', () => {
    const plugin = manifests.find((m) => m.name === 'unplugin-kms-secrets')
    const hard = Object.keys(plugin?.dependencies ?? {})
    expect(
      hard.filter((d) => ['vite', 'rollup', 'rolldown', 'esbuild', 'webpack', '@rspack/core'].includes(d)),
    ).toEqual([])
  })
})
