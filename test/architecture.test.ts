import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { errorCodes } from '@kms-secrets/core/errors'
import { describe, expect, it } from 'vitest'

/**
 * Dependency direction (STYLE §2), read from the package.json files so a stray dependency fails CI:
 * local-kms depends on nothing of ours, core on nothing of ours, runtime only on core (its open path),
 * unplugin and cli on core (unplugin also names runtime, whose path it resolves for generated code).
 * The private testkit may use any of them; only tests and the bench use it (devDependencies, never a src import).
 */
const root = join(import.meta.dirname, '..')
const allowed: Record<string, string[]> = {
  '@kms-secrets/local-kms': [],
  '@kms-secrets/core': [],
  '@kms-secrets/runtime': ['@kms-secrets/core'],
  'unplugin-kms-secrets': ['@kms-secrets/core', '@kms-secrets/runtime'],
  '@kms-secrets/cli': ['@kms-secrets/core', '@kms-secrets/local-kms'],
  '@kms-secrets/testkit': ['@kms-secrets/core', '@kms-secrets/local-kms', 'unplugin-kms-secrets'],
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

  it('only tests and the bench depend on the testkit', () => {
    const dirs = ['packages', 'examples'].flatMap((d) => readdirSync(join(root, d)).map((name) => join(root, d, name)))
    const users = dirs
      .filter((dir) => existsSync(join(dir, 'package.json')))
      .filter((dir) => {
        const m = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest
        const src = join(dir, 'src')
        const files = existsSync(src) ? readdirSync(src, { recursive: true, encoding: 'utf8' }) : []
        const imports = files.some(
          (f) => /\.[cm]?[jt]sx?$/.test(f) && readFileSync(join(src, f), 'utf8').includes('@kms-secrets/testkit'),
        )
        return '@kms-secrets/testkit' in { ...m.dependencies, ...m.peerDependencies } || imports
      })
    expect(users.map((d) => d.slice(root.length + 1))).toEqual([])
  })

  it('no bundler is a hard dependency of the plugin', () => {
    const plugin = manifests.find((m) => m.name === 'unplugin-kms-secrets')
    const hard = Object.keys(plugin?.dependencies ?? {})
    expect(
      hard.filter((d) => ['vite', 'rollup', 'rolldown', 'esbuild', 'webpack', '@rspack/core'].includes(d)),
    ).toEqual([])
  })
})

/**
 * Error codes belong to their layer (STYLE §3, §5): `ERR_<AREA>_<WHAT>`, each AREA owned by one package. A package
 * raises codes of its own areas and of the packages it may depend on (the plugin reports a runtime failure met while
 * prerendering), never those of a layer above it (the runtime raising a plugin code).
 */
const areas: Record<string, string[]> = {
  '@kms-secrets/core': ['ENVELOPE', 'SECRET', 'CONTEXT', 'PROJECT', 'KMS', 'INTERNAL'],
  '@kms-secrets/runtime': ['RUNTIME'],
  'unplugin-kms-secrets': ['PLUGIN'],
  '@kms-secrets/cli': ['CLI', 'SCAN'],
  '@kms-secrets/local-kms': ['LOCAL'],
}
/** A quoted code literal: `'ERR_KMS_DECRYPT'` → KMS, `'ERR_INTERNAL'` → INTERNAL. */
const codeLiteralRE = /['"]ERR_([A-Z0-9]+)(?:_[A-Z0-9_]*)?['"]/g

function areaOf(code: string): string {
  return code.split('_')[1]!
}

describe('error codes belong to their layer', () => {
  const packages = readdirSync(join(root, 'packages')).map((dir) => ({
    dir,
    name: (JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as Manifest).name,
  }))

  it("every code in core's list is ERR_<AREA>_… with an area some package owns", () => {
    const owned = new Set(Object.values(areas).flat())
    expect(errorCodes.filter((c) => !/^ERR_[A-Z0-9]+(_[A-Z0-9]+)*$/.test(c) || !owned.has(areaOf(c)))).toEqual([])
  })

  for (const { dir, name } of packages) {
    it(`${name} raises only codes of its own areas or of the packages it may depend on`, () => {
      const may = new Set([name, ...(allowed[name] ?? [])].flatMap((p) => areas[p] ?? []))
      const src = join(root, 'packages', dir, 'src')
      const all = existsSync(src) ? readdirSync(src, { recursive: true, encoding: 'utf8' }) : []
      const files = all.filter((f) => /\.[cm]?ts$/.test(f) && !(name === '@kms-secrets/core' && f === 'errors.ts'))
      const bad = files.flatMap((f) =>
        [...readFileSync(join(src, f), 'utf8').matchAll(codeLiteralRE)]
          .filter((m) => !may.has(m[1]!))
          .map((m) => `${f}: ${m[0]}`),
      )
      expect(bad).toEqual([])
    })
  }
})
