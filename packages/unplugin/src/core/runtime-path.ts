import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { KmsSecretsError } from '@kms-secrets/core'

let cached: string | undefined

function esmEntryOf(pkg: { exports?: unknown; module?: unknown; main?: unknown }): string | undefined {
  const root = (pkg.exports as Record<string, unknown> | undefined)?.['.']
  if (typeof root === 'string') return root
  const entry = (root as Record<string, unknown> | undefined)?.import
  if (typeof entry === 'string') return entry
  if (typeof pkg.module === 'string') return pkg.module
  return typeof pkg.main === 'string' ? pkg.main : undefined
}

/**
 * Absolute path of `@kms-secrets/runtime`'s ESM entry, resolved from THIS package (the runtime is our dependency,
 * not necessarily the user's), so the user's bundler always finds it. Read from package.json rather than
 * `require.resolve('@kms-secrets/runtime')`, which would pick the CommonJS entry.
 */
export function resolveRuntimeEntry(): string {
  if (cached !== undefined) return cached
  try {
    const pkgPath = createRequire(import.meta.url).resolve('@kms-secrets/runtime/package.json')
    const entry = esmEntryOf(JSON.parse(readFileSync(pkgPath, 'utf8')))
    if (entry === undefined) throw new Error('no entry')
    cached = join(dirname(pkgPath), entry).replaceAll('\\', '/')
    return cached
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
