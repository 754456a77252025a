import { createRequire } from 'node:module'
import { sep } from 'node:path'
import { KmsSecretsError } from '@kms-secrets/core'
import type { SecretsContext } from '../context'
import { splitId } from '../guards'
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

/** ERR_PLUGIN_RAW_IMPORT for a file the rule picked whose id the load cannot claim (its name holds `?` or `#`). */
function unclaimedError(ctx: SecretsContext, path: string): KmsSecretsError {
  const file = ctx.relativeId(path)
  return new KmsSecretsError(
    'ERR_PLUGIN_RAW_IMPORT',
    `${file} matches the secret files' include, but its name holds \`?\` or \`#\`, which the plugin reads as a ` +
      "query or fragment: the file's plaintext bytes would go to the bundle unsealed.",
    { hint: 'Rename the file without `?` and `#`.', file },
  )
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
        // Never the bytes as they came: the rule picked the file as a secret one, so an unclaimed id (a `?` or `#`
        // in the file's own name, which the shared load path reads as a query) would pass its plaintext on.
        (code) => (code === undefined ? done(unclaimedError(ctx, loader.resourcePath)) : done(null, code)),
        (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
      )
    },
  }
}

/** The file of the plugin's loader, as the rule names it and as it appears in a module's request. */
let loaderFile: string | undefined
const loaderPath = () => (loaderFile ??= createRequire(import.meta.url).resolve('unplugin-kms-secrets/webpack-loader'))

/**
 * ERR_PLUGIN_RAW_IMPORT for a secret file whose module request leaves out the plugin's loader: an inline request
 * that disables the configured loaders (`!!loader!./x.secret.json`, `-!loader!…`) or a match resource
 * (`./x.js!=!…`, whose rules are those of `x.js`) would hand the file's plaintext bytes to another loader or the JS
 * parser (whose error quotes the file), and webpack's persistent cache would store them before any output check.
 * Checked when the request is resolved (`afterResolve`), before the module is built. `request`: loaders and resource
 * joined by `!` (webpack and rspack alike); undefined when the module is not a secret file's or keeps our loader.
 */
export function bypassError(
  ctx: SecretsContext,
  data: { request?: string; resource?: string },
  issuer: string | undefined,
): KmsSecretsError | undefined {
  const { request, resource } = data
  if (typeof request !== 'string' || typeof resource !== 'string' || !loadableRE.test(resource)) return undefined
  if (claimOf(ctx, splitId(resource).path) === undefined) return undefined
  const loader = loaderPath()
  const segments = request.split('!').slice(0, -1)
  if (segments.some((s) => s === loader || s.startsWith(`${loader}?`))) return undefined
  const file = ctx.relativeId(splitId(resource).path)
  const via = issuer ? ` (imported by ${ctx.relativeId(splitId(issuer).path)})` : ''
  return new KmsSecretsError(
    'ERR_PLUGIN_RAW_IMPORT',
    `${file} is imported with an inline loader request or match resource (\`!!\`, \`-!\`, \`!=!\`)${via} that skips ` +
      "the plugin's loader: that would put the secret file's plaintext bytes into the bundle and its cache.",
    { hint: `Import it without inline loaders (\`import value from './${file.split('/').pop()}'\`).`, file },
  )
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
  const loader = loaderPath()
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
