import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { KmsSecretsError } from '@kms-secrets/core'

const cached = new Map<Condition, string>()

/** `import` for generated ESM (top-level await); `require` for generated `openSecretSync` code (CommonJS output). */
export type Condition = 'import' | 'require'

const runtimePkg = '@kms-secrets/runtime/package.json'

function entryOf(
  pkg: { exports?: unknown; module?: unknown; main?: unknown },
  condition: Condition,
): string | undefined {
  const root = (pkg.exports as Record<string, unknown> | undefined)?.['.']
  if (typeof root === 'string') return root
  const entry = (root as Record<string, unknown> | undefined)?.[condition]
  if (typeof entry === 'string') return entry
  const nested = (entry as Record<string, unknown> | undefined)?.default
  if (typeof nested === 'string') return nested
  if (condition === 'import' && typeof pkg.module === 'string') return pkg.module
  return typeof pkg.main === 'string' ? pkg.main : undefined
}

/**
 * Absolute path of `@kms-secrets/runtime`'s ESM (or, for `require`, CommonJS) entry, resolved from THIS package
 * (the runtime is our dependency, not necessarily the user's), so the user's bundler always finds it. Read from
 * package.json rather than `require.resolve`, which would always pick the CommonJS entry. CommonJS output gets the
 * CommonJS entry, so the bundler never converts the runtime's ESM (and its `import.meta`) to CommonJS.
 */
export function resolveRuntimeEntry(condition: Condition = 'import'): string {
  const hit = cached.get(condition)
  if (hit !== undefined) return hit
  try {
    const pkgPath = createRequire(import.meta.url).resolve(runtimePkg)
    const entry = entryOf(JSON.parse(readFileSync(pkgPath, 'utf8')), condition)
    if (entry === undefined) throw new Error('no entry')
    const path = join(dirname(pkgPath), entry).replaceAll('\\', '/')
    cached.set(condition, path)
    return path
  } catch (cause) {
    throw new KmsSecretsError(
      'ERR_PLUGIN_OPTIONS',
      'unplugin-kms-secrets cannot find its runtime, @kms-secrets/runtime.',
      {
        hint: 'Reinstall dependencies (it is a dependency of unplugin-kms-secrets), or set the plugin option `runtime`.',
        cause,
      },
    )
  }
}

/**
 * The specifier generated code imports the runtime by. The bare `@kms-secrets/runtime` when the project itself
 * resolves it to the very package this plugin depends on: then the bundler's externals rules apply (esbuild
 * `packages: 'external'`, vite SSR externals, webpack externals), the runtime stays an installed package at run
 * time (its sync worker file is found next to it, from any working directory) and no absolute path lands in the
 * output. Otherwise (not installed in the project, pnpm's strict layout, another version) the absolute path of our
 * own copy, which every bundler can resolve and then bundles.
 */
export function runtimeSpecifierFor(root: string, condition: Condition = 'import'): string {
  const ours = resolveRuntimeEntry(condition)
  const fromProject = findInNodeModules(root, runtimePkg)
  try {
    const fromPlugin = createRequire(import.meta.url).resolve(runtimePkg)
    if (fromProject !== undefined && realpathSync(fromProject) === realpathSync(fromPlugin))
      return '@kms-secrets/runtime'
  } catch {
    // our own copy is not where it should be: resolveRuntimeEntry() above would have thrown already
  }
  return ours
}

/**
 * `node_modules/<path>` in `dir` or an ancestor, the way bundlers look packages up: not `require.resolve`, which
 * also honours NODE_PATH (pnpm sets it for scripts) and global folders that bundlers ignore.
 */
export function findInNodeModules(dir: string, path: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const candidate = join(current, 'node_modules', path)
    if (existsSync(candidate)) return candidate
    if (dirname(current) === current) return undefined
  }
}
