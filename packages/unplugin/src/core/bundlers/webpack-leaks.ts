import { resolve } from 'node:path'
import type { RspackCompiler, WebpackCompiler } from 'unplugin'
import { secretFileCopies } from '../asset-guard'
import type { SecretsContext } from '../context'
import { fileSources, type LeakHit, leakError, leakingAssets, type OutputAsset } from '../leak'
import { errorText } from '../report'

const pluginName = 'unplugin-kms-secrets'

interface Asset {
  name: string
  source: { source(): string | Buffer | ArrayBuffer }
  info?: { sourceFilename?: string }
}

/** Output files copied from a secret file (copy plugins and asset modules record where an asset came from). */
function copiedSecretAssets(ctx: SecretsContext, assets: readonly Asset[]): LeakHit[] {
  return assets
    .filter((a) => a.info?.sourceFilename !== undefined && ctx.matches(resolve(ctx.root, a.info.sourceFilename)))
    .map((a) => ({ asset: a.name, file: String(a.info?.sourceFilename), path: '$', encoding: 'raw' as const }))
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
export function checkAssetsForLeaks(ctx: SecretsContext, compiler: WebpackCompiler | RspackCompiler): void {
  const wp = compiler.webpack as unknown as {
    Compilation: { PROCESS_ASSETS_STAGE_REPORT: number }
    WebpackError: new (message: string) => Error
  }
  compiler.hooks.thisCompilation.tap(pluginName, (compilation) => {
    const c = compilation as unknown as {
      hooks: { processAssets: { tapPromise(o: object, fn: () => Promise<void>): void } }
      getAssets(): readonly Asset[]
      modules: Iterable<{ resource?: string }>
      deleteAsset(name: string): void
      errors: Error[]
    }
    c.hooks.processAssets.tapPromise(
      { name: pluginName, stage: wp.Compilation.PROCESS_ASSETS_STAGE_REPORT },
      async () => {
        const outputs = c.getAssets()
        const copied = copiedSecretAssets(ctx, outputs)
        if (!ctx.options.leakCheck && copied.length === 0) return
        // Module paths only when a hit needs confirming: in rspack every module read here crosses from Rust to JS.
        const files = () =>
          [...c.modules]
            .map((m) => m.resource?.split('?')[0])
            .filter((r): r is string => typeof r === 'string' && r !== '')
        const assets = outputs.map(toAsset)
        const hits = ctx.options.leakCheck
          ? ctx.scanAssets(assets, () => fileSources((f) => ctx.matches(f), files()))
          : []
        if (ctx.options.leakCheck) hits.push(...secretFileCopies(ctx, assets))
        hits.push(...copied)
        ctx.endLeakCheck()
        if (hits.length === 0) return
        for (const name of leakingAssets(hits)) c.deleteAsset(name)
        c.errors.push(new wp.WebpackError(errorText(leakError(hits, true))))
      },
    )
  })
}
