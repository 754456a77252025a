import { createRequire } from 'node:module'
import { sep } from 'node:path'
import type { SecretsContext } from '../context'
import { loadSecret } from '../load'
import { claimOf, loadableRE } from '../secret-claims'
import type { Adapter, LoadHost } from './adapter'

/** The part of a webpack/rspack loader context the plugin's loader uses (both bundlers agree on it). */
export interface SecretLoaderContext {
  /** The file's path, unescaped; without query and fragment. */
  resourcePath: string
  resourceQuery?: string
  resourceFragment?: string
  /** This loader's index in `loaders`; the last one runs first on the file's bytes. */
  loaderIndex: number
  loaders: readonly unknown[]
  /** The rule's options object (not serialized: webpack and rspack hand the object over). */
  query: unknown
  async(): (error: Error | null, result?: string | Buffer) => void
  emitWarning(warning: Error): void
  addDependency(file: string): void
  _compiler?: unknown
  _compilation?: unknown
}

/** The options of the plugin's loader: the load of the plugin instance that registered the rule. */
export interface SecretLoaderOptions {
  load(loader: SecretLoaderContext, source: Buffer | string): void
}

type FilterPattern = SecretsContext['options']['include']

/**
 * The include/exclude patterns as RegExps a bundler can match natively (rspack in Rust, without a call into JS per
 * module), or undefined when one of them needs the JS filter: a glob (resolved against the root by picomatch), a
 * stateful (`g`/`y`) RegExp, or Windows paths (the filter matches them with `/` separators).
 */
function nativePatterns(patterns: FilterPattern): RegExp[] | undefined {
  if (sep !== '/') return undefined
  const list = patterns === null || patterns === undefined ? [] : Array.isArray(patterns) ? patterns : [patterns]
  if (!list.every((p): p is RegExp => p instanceof RegExp && !p.global && !p.sticky)) return undefined
  return list as RegExp[]
}

/**
 * The load of one secret module in the plugin's own loader: the bytes the bundler read are the file's when no other
 * loader ran before this one, and are then used instead of a second read; the guards, errors and generated module are
 * the shared load path's (../load.ts), as with any other bundler.
 */
function secretLoader(ctx: SecretsContext, adapter: Adapter): SecretLoaderOptions {
  return {
    load(loader, source) {
      const done = loader.async()
      const id = loader.resourcePath + (loader.resourceQuery ?? '') + (loader.resourceFragment ?? '')
      const first = loader.loaderIndex === loader.loaders.length - 1
      const text = !first ? undefined : typeof source === 'string' ? source : source.toString('utf8')
      const host: LoadHost = {
        warn: (message) => loader.emitWarning(new Error(message)),
        addWatchFile: (file) => loader.addDependency(file),
        getNativeBuildContext: () => ({
          compiler: loader._compiler,
          compilation: loader._compilation,
          loaderContext: loader,
        }),
      }
      loadSecret(ctx, adapter, host, id, undefined, text).then(
        (code) => done(null, code ?? source),
        (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
      )
    },
  }
}

/**
 * The plugin's module rule for webpack and rspack (instead of unplugin's load bridge, whose rule calls a JS
 * `include` for every module of the build and whose loader reads each file again). Files the include/exclude
 * RegExps match are picked natively (the default `*.secret.*`); the rest of the claim — another name of a secret
 * file (hard link, symlink), a file of a local-kms data dir — stays a JS check, asked only for ids with a secret
 * extension. With globs in include/exclude the whole claim is the JS check, as before. `javascript/auto`: the
 * generated module is JS whatever the extension; `pre`: before the JSON/asset handling of the user's rules.
 */
export function secretModuleRule(ctx: SecretsContext, adapter: Adapter): Record<string, unknown> {
  const loader = createRequire(import.meta.url).resolve('unplugin-kms-secrets/webpack-loader')
  const effect = {
    enforce: 'pre',
    type: 'javascript/auto',
    use: [{ loader, options: secretLoader(ctx, adapter) }],
  }
  const claimed = { test: loadableRE, include: (path: string) => claimOf(ctx, path) !== undefined, ...effect }
  const include = nativePatterns(ctx.options.include)
  const exclude = nativePatterns(ctx.options.exclude)
  if (include === undefined || include.length === 0 || exclude === undefined) return claimed
  // As the JS check: a secret extension (a pattern matching other files does not make them secrets) and the filter.
  const matched = { test: loadableRE, include, ...(exclude.length > 0 ? { exclude } : {}), ...effect }
  return { oneOf: [matched, claimed] }
}
