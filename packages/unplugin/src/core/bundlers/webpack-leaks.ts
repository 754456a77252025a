import type { RspackCompiler, WebpackCompiler } from 'unplugin'
import { createSecretCopyCheck, type EmittedAsset } from '../asset-guard'
import type { SecretsContext } from '../context'
import { fileSources, leakError, leakingAssets } from '../leak'
import { errorText } from '../report'

const pluginName = 'unplugin-kms-secrets'

interface Asset {
  name: string
  source: { source(): string | Buffer | ArrayBuffer }
  /** `sourceFilename`: where copy plugins and asset modules say the asset came from (relative to the context). */
  info?: { sourceFilename?: string }
}

/** An output as the checks see it; its bytes are asked of webpack only when a check reads them (once). */
function toAsset(a: Asset): EmittedAsset {
  let content: string | Uint8Array | undefined
  const from = a.info?.sourceFilename
  return {
    name: a.name,
    from: from === undefined ? undefined : [from],
    get content() {
      if (content === undefined) {
        const raw = a.source.source()
        content = typeof raw === 'string' ? raw : new Uint8Array(raw as ArrayBuffer)
      }
      return content
    },
  }
}

/**
 * The leak check at PROCESS_ASSETS_STAGE_REPORT (the last stage: minified, source maps and HTML are there). A hit
 * becomes a compilation error AND the leaking assets are deleted, because webpack still emits on errors when
 * `optimization.emitOnErrors` is on (its default in development).
 */
export function checkAssetsForLeaks(ctx: SecretsContext, compiler: WebpackCompiler | RspackCompiler): void {
  const copies = createSecretCopyCheck(ctx)
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
        const assets = c.getAssets().map(toAsset)
        // Module paths only when a hit needs confirming: in rspack every module read here crosses from Rust to JS.
        const files = () =>
          [...c.modules]
            .map((m) => m.resource?.split('?')[0])
            .filter((r): r is string => typeof r === 'string' && r !== '')
        const hits = ctx.options.leakCheck
          ? ctx.scanAssets(assets, () => fileSources((f) => ctx.matches(f), files()))
          : []
        // One output per compilation: the secret files' texts are read for this check and dropped with it.
        try {
          hits.push(...copies.check(assets))
        } finally {
          copies.end()
        }
        ctx.endLeakCheck()
        if (hits.length === 0) return
        for (const name of leakingAssets(hits)) c.deleteAsset(name)
        c.errors.push(new wp.WebpackError(errorText(leakError(hits, true))))
      },
    )
  })
}
