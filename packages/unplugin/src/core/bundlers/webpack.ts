import type { RspackCompiler, WebpackCompiler } from 'unplugin'
import type { LoadTarget, SecretsContext } from '../context'
import { leakError, leakingAssets, type OutputAsset } from '../leak'
import { errorText } from '../report'

const pluginName = 'unplugin-kms-secrets'

/** The parts of a webpack or rspack compiler/compilation these hooks use (both APIs agree on them). */
interface CompilerLike {
  context: string
  platform?: { browser?: boolean | null; webworker?: boolean | null; node?: boolean | null }
  options: { target?: unknown; experiments?: { topLevelAwait?: boolean } }
}

interface ModuleLike {
  resource?: string
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

/** Issuer chain of the module being loaded, nearest first, as project-relative paths. */
function issuerChain(ctx: SecretsContext, native: WebpackNative): string[] {
  const chain: string[] = []
  try {
    const graph = native.compilation?.moduleGraph
    let module = native.loaderContext?._module
    while (graph && module && chain.length < 20) {
      module = graph.getIssuer(module) ?? undefined
      const name = module?.resource ?? module?.nameForCondition?.()
      if (!name) break
      chain.push(ctx.relativeId(name.replace(/\?.*$/, '')))
    }
  } catch {
    // The module graph is not always readable during a loader run (rspack); the error then names the file only.
  }
  return chain
}

export function webpackTarget(ctx: SecretsContext, framework: string, native: WebpackNative): LoadTarget {
  const { compiler } = native
  const target = JSON.stringify(compiler.options.target ?? 'web')
  return {
    client: isBrowserTarget(compiler) ? `${framework} target ${target}` : false,
    // webpack/rspack run top-level await (also in commonjs2) through their async-module runtime, unless turned off.
    sync: ctx.options.sync === 'auto' ? compiler.options.experiments?.topLevelAwait === false : ctx.options.sync,
    importers: () => issuerChain(ctx, native),
  }
}

interface Asset {
  name: string
  source: { source(): string | Buffer | ArrayBuffer }
}

function toAsset(a: Asset): OutputAsset {
  const content = a.source.source()
  return { name: a.name, content: typeof content === 'string' ? content : new Uint8Array(content as ArrayBuffer) }
}

/**
 * The leak check at PROCESS_ASSETS_STAGE_REPORT (the last stage: minified, source maps and HTML are there). A hit
 * becomes a compilation error AND the leaking assets are deleted, because webpack still emits on errors when
 * `optimization.emitOnErrors` is on (its default in development).
 */
export function applyWebpackHooks(ctx: SecretsContext, compiler: WebpackCompiler | RspackCompiler): void {
  ctx.setRoot(compiler.context)
  const wp = compiler.webpack as unknown as {
    Compilation: { PROCESS_ASSETS_STAGE_REPORT: number }
    WebpackError: new (message: string) => Error
  }
  compiler.hooks.thisCompilation.tap(pluginName, (compilation) => {
    const c = compilation as unknown as {
      hooks: { processAssets: { tapPromise(o: object, fn: () => Promise<void>): void } }
      getAssets(): readonly Asset[]
      deleteAsset(name: string): void
      errors: Error[]
    }
    c.hooks.processAssets.tapPromise(
      { name: pluginName, stage: wp.Compilation.PROCESS_ASSETS_STAGE_REPORT },
      async () => {
        if (!ctx.options.leakCheck) return
        const hits = ctx.scanAssets(c.getAssets().map(toAsset))
        ctx.endLeakCheck()
        if (hits.length === 0) return
        for (const name of leakingAssets(hits)) c.deleteAsset(name)
        c.errors.push(new wp.WebpackError(errorText(leakError(hits, true))))
      },
    )
  })
  // A failed compilation may never reach processAssets: zero the data keys and drop the values anyway.
  const done = () => {
    ctx.buildEnd()
    ctx.endLeakCheck()
  }
  compiler.hooks.done.tap(pluginName, done)
  compiler.hooks.failed.tap(pluginName, done)
}
