import { fileURLToPath } from 'node:url'
import { secretExtensionPattern } from '@kms-secrets/core'
import type { RspackCompiler, WebpackCompiler } from 'unplugin'
import type { SecretsContext } from '../context'
import { loadSecret } from '../load'
import { claimOf } from '../secret-claims'
import type { Adapter, LoadHost } from './adapter'
import type { SecretLoaderContext, SecretLoaderOptions } from './webpack-loader'

/**
 * A module path with a secret extension (core's one list). Matched natively first, so that the include function —
 * in rspack a call from Rust into JS — runs only for the few such files, not for every module of the build.
 */
const secretExtensionRE = new RegExp(`\\.(?:${secretExtensionPattern})$`)

/**
 * The loader by path, as webpack and rspack load loaders: the built entry `dist/webpack-loader.mjs`, next to this
 * code's chunk in dist/ (from src/, in the plugin's own tests, the built one too: node cannot load a .ts loader).
 */
const loaderPath = () =>
  fileURLToPath(
    new URL(
      import.meta.url.endsWith('.ts') ? '../../../dist/webpack-loader.mjs' : './webpack-loader.mjs',
      import.meta.url,
    ),
  )

interface WebpackLoaderContext extends SecretLoaderContext {
  resourcePath: string
  resourceQuery: string
  _compiler: unknown
  _compilation: unknown
  addDependency(file: string): void
  emitWarning(warning: Error): void
}

/** The load hook's `this` in the plugin's loader: what unplugin's webpack/rspack loaders give, with the same native context. */
function loadHostOf(framework: 'webpack' | 'rspack', loader: WebpackLoaderContext): LoadHost {
  return {
    warn: (message) => loader.emitWarning(new Error(message)),
    addWatchFile: (file) => loader.addDependency(file),
    getNativeBuildContext: () => ({
      framework,
      compiler: loader._compiler,
      compilation: loader._compilation,
      loaderContext: loader,
    }),
  }
}

/**
 * The plugin's own module rule for secret files (instead of unplugin's bridge: a JS `include` function run for
 * every module, and a loader whose source the load hook cannot use, so each secret file was read twice). `test`
 * picks by extension natively, `include` applies include/exclude and the other names of a secret (claimOf), and
 * the loader generates the module from the bytes webpack read. `javascript/auto`: the module is JS, not JSON.
 */
export function addSecretRule(ctx: SecretsContext, compiler: WebpackCompiler | RspackCompiler, adapter: Adapter): void {
  const framework = 'rspackVersion' in compiler.webpack ? 'rspack' : 'webpack'
  const options: SecretLoaderOptions = {
    load: (loader, source) => {
      const l = loader as WebpackLoaderContext
      return loadSecret(ctx, adapter, loadHostOf(framework, l), l.resourcePath + l.resourceQuery, undefined, source)
    },
  }
  const rules = (compiler.options.module as { rules: unknown[] }).rules
  rules.unshift({
    test: secretExtensionRE,
    include: (path: string) => claimOf(ctx, path) !== undefined,
    enforce: 'pre',
    type: 'javascript/auto',
    use: [{ loader: loaderPath(), options }],
  })
}
