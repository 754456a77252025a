import type { RspackCompiler, WebpackCompiler } from 'unplugin'
import { assetReferenceError } from '../asset-guard'
import type { LoadTarget, SecretsContext } from '../context'
import { clientBundleError, splitId } from '../guards'
import { importerChain } from '../importer-chain'
import { toBundlerError } from '../report'
import { type Adapter, failByThrowing, type LoadHost } from './adapter'
import { noPlaintextHashes } from './webpack-cache'
import { checkAssetsForLeaks } from './webpack-leaks'
import { bypassError, secretModuleRule } from './webpack-loader'
import { emitSyncWorker, syncOutput } from './webpack-worker'

const pluginName = 'unplugin-kms-secrets'

/** The parts of a webpack or rspack compiler/compilation these hooks use (both APIs agree on them). */
interface CompilerLike {
  context: string
  platform?: { browser?: boolean | null; webworker?: boolean | null; node?: boolean | null }
  options: { target?: unknown; experiments?: { topLevelAwait?: boolean } }
}

interface ModuleLike {
  resource?: string
  /** `asset/resource`, `asset/inline`, `asset/source`, `asset`: the file's bytes become an output file or data URL. */
  type?: string
  nameForCondition?: () => string | null
}

interface CompilationLike {
  moduleGraph?: { getIssuer(module: ModuleLike): ModuleLike | null | undefined }
}

/** What unplugin's `getNativeBuildContext()` returns inside a webpack/rspack load. */
export interface WebpackNative {
  compiler: CompilerLike
  compilation?: CompilationLike | undefined
  loaderContext?: { _module?: ModuleLike } | undefined
}

/** Browser-ish targets: `web` (webpack's default without browserslist) and `webworker`; not node/electron/universal. */
function isBrowserTarget(compiler: CompilerLike): boolean {
  const p = compiler.platform
  return p !== undefined && (p.browser === true || p.webworker === true) && p.node !== true
}

/** Issuer chain of a module, nearest first, as project-relative paths. */
function issuerChain(
  ctx: SecretsContext,
  graph: CompilationLike['moduleGraph'],
  start: ModuleLike | undefined,
): string[] {
  if (graph === undefined || start === undefined) return []
  const importersOf = (module: ModuleLike): ModuleLike[] => {
    try {
      const issuer = graph.getIssuer(module)
      return issuer ? [issuer] : []
    } catch {
      // rspack: the module graph is not readable while modules build; the guard is then deferred to finishModules.
      return []
    }
  }
  const nameOf = (module: ModuleLike) => {
    const name = module.resource ?? module.nameForCondition?.()
    return name ? ctx.relativeId(splitId(name).path) : undefined
  }
  return importerChain({ importersOf, nameOf }, start)
}

function webpackTarget(framework: 'webpack' | 'rspack') {
  return (ctx: SecretsContext, host: LoadHost): LoadTarget =>
    targetOf(ctx, framework, host.getNativeBuildContext?.() as WebpackNative)
}

function targetOf(ctx: SecretsContext, framework: string, native: WebpackNative): LoadTarget {
  const { compiler } = native
  const target = JSON.stringify(compiler.options.target ?? 'web')
  return {
    client: isBrowserTarget(compiler) ? `${framework} target ${target}` : false,
    // webpack/rspack run top-level await (also in commonjs2) through their async-module runtime, unless turned off.
    sync: syncOutput(ctx, compiler),
    importers: () => issuerChain(ctx, native.compilation?.moduleGraph, native.loaderContext?._module),
  }
}

/**
 * rspack cannot read its module graph inside a loader, so a secret in a browser build gets a stub there and the
 * build fails here, once the graph is complete, with the issuer chain. Rejecting finishModules is fatal: nothing
 * is emitted.
 */
function deferClientGuard(ctx: SecretsContext, compiler: WebpackCompiler | RspackCompiler) {
  const deferred = ctx.clientDeferred
  compiler.hooks.thisCompilation.tap(pluginName, (compilation) => {
    const c = compilation as unknown as CompilationLike & {
      hooks: { finishModules: { tapPromise(name: string, fn: (modules: Iterable<ModuleLike>) => Promise<void>): void } }
    }
    c.hooks.finishModules.tapPromise(pluginName, async (modules) => {
      if (deferred.size === 0) return
      const [id, where] = [...deferred][0]!
      const path = splitId(id).path
      const module = [...modules].find((m) => m.resource !== undefined && splitId(m.resource).path === path)
      deferred.clear()
      const chain = issuerChain(ctx, c.moduleGraph, module)
      throw toBundlerError(clientBundleError(ctx.relativeId(path), chain, where))
    })
  })
}

/**
 * A secret file as an asset module (`new URL('./x.secret.json', import.meta.url)`, a `type: 'asset/…'` rule, CSS
 * `url()`) is refused once the module graph is complete: webpack would emit or inline it (whatever our loader returned
 * for it, the file is not meant to be an asset). Rejecting finishModules is fatal: nothing is emitted.
 */
function refuseAssetModules(ctx: SecretsContext, compiler: WebpackCompiler | RspackCompiler) {
  compiler.hooks.thisCompilation.tap(pluginName, (compilation) => {
    const c = compilation as unknown as CompilationLike & {
      hooks: { finishModules: { tapPromise(name: string, fn: (modules: Iterable<ModuleLike>) => Promise<void>): void } }
    }
    c.hooks.finishModules.tapPromise(pluginName, async (modules) => {
      for (const module of modules) {
        if (!module.type?.startsWith('asset') || module.resource === undefined) continue
        const path = splitId(module.resource).path
        if (!ctx.matches(path)) continue
        const importer = issuerChain(ctx, c.moduleGraph, module)[0] ?? 'an entry'
        throw toBundlerError(assetReferenceError(ctx.relativeId(path), importer, `a ${module.type} module`))
      }
    })
  })
}

/**
 * A secret file's module must go through the plugin's loader: a request that leaves it out (inline `!!`/`-!`, a
 * match resource) is refused when resolved, before the module is built or cached (webpack-loader.ts bypassError).
 */
function refuseLoaderBypass(ctx: SecretsContext, compiler: WebpackCompiler | RspackCompiler) {
  compiler.hooks.normalModuleFactory.tap(pluginName, (factory) => {
    const hooks = (
      factory as unknown as { hooks: { afterResolve: { tap(name: string, fn: (d: unknown) => void): void } } }
    ).hooks
    hooks.afterResolve.tap(pluginName, (data) => {
      const d = data as { createData?: { request?: string; resource?: string }; contextInfo?: { issuer?: string } }
      const error = bypassError(ctx, d.createData ?? {}, d.contextInfo?.issuer)
      if (error) throw toBundlerError(error)
    })
  })
}

/** Everything the plugin does in a webpack/rspack compiler besides load: the guards, the leak check, one lifecycle. */
function applyWebpackHooks(ctx: SecretsContext, compiler: WebpackCompiler | RspackCompiler, adapter: Adapter): void {
  ctx.setRoot(compiler.context)
  // The plugin's own rule and loader (webpack-loader.ts), first: unplugin's load bridge is not used here.
  const module = compiler.options.module as { rules: unknown[] }
  module.rules.unshift(secretModuleRule(ctx, adapter))
  refuseLoaderBypass(ctx, compiler)
  if (adapter.defersClientGuard(ctx)) deferClientGuard(ctx, compiler)
  refuseAssetModules(ctx, compiler)
  noPlaintextHashes(ctx, compiler, 'rspackVersion' in compiler.webpack)
  checkAssetsForLeaks(ctx, compiler)
  // After the leak check's tap (same stage): the worker file is runtime code, not scanned, as in rollup and esbuild.
  emitSyncWorker(ctx, compiler)
  // One build: `make` of the main compilation (child compilations have their own) to `done`, or `failed` when the
  // compilation broke off — then it may never have reached processAssets: the values are dropped here anyway.
  compiler.hooks.make.tap(pluginName, () => ctx.buildStart())
  const done = () => {
    ctx.buildEnd()
    ctx.endLeakCheck()
  }
  compiler.hooks.done.tap(pluginName, done)
  compiler.hooks.failed.tap(pluginName, done)
}

export const webpackAdapter: Adapter = {
  target: webpackTarget('webpack'),
  fail: failByThrowing,
  // webpack's module graph answers during a load: the error names the issuer chain at once.
  defersClientGuard: () => false,
  hooks: (ctx) => ({
    webpack: (compiler) => applyWebpackHooks(ctx, compiler, webpackAdapter),
  }),
}

export const rspackAdapter: Adapter = {
  target: webpackTarget('rspack'),
  fail: failByThrowing,
  // rspack cannot read its module graph in a loader: the guard fails at finishModules with the issuer chain.
  defersClientGuard: () => true,
  hooks: (ctx) => ({
    rspack: (compiler) => applyWebpackHooks(ctx, compiler, rspackAdapter),
  }),
}
