import type { RspackCompiler, WebpackCompiler } from 'unplugin'
import type { SecretsContext } from '../context'
import { readSyncWorker, runtimeInlined, syncWorkerFileName } from '../sync-worker'

const pluginName = 'unplugin-kms-secrets'

interface ModuleLike {
  resource?: string
  /** A concatenated module has no resource of its own: its root module's. */
  nameForCondition?: () => string | null
}

/** The module paths of a compilation (read only for a build with synchronous secrets: in rspack each crosses from Rust). */
function modulePaths(modules: Iterable<ModuleLike>): string[] {
  const paths: string[] = []
  for (const m of modules) {
    const name = m.resource ?? m.nameForCondition?.()
    if (typeof name === 'string' && name !== '') paths.push(name.split('?')[0]!)
  }
  return paths
}

interface CompilerOptionsLike {
  options: { experiments?: { topLevelAwait?: boolean } }
}

/** Whether secrets decrypt synchronously: webpack/rspack run top-level await (also in commonjs2) unless it is off. */
export function syncOutput(ctx: SecretsContext, compiler: CompilerOptionsLike): boolean {
  return ctx.options.sync === 'auto' ? compiler.options.experiments?.topLevelAwait === false : ctx.options.sync
}

/**
 * Emits the runtime's self-contained worker (see ../sync-worker.ts) into the output directory of a webpack/rspack
 * build whose secrets decrypt synchronously (`sync: true`, or `experiments.topLevelAwait: false`) and that inlined the
 * runtime: `openSecretSync` looks for kms-secrets-worker.cjs next to the bundle, and a deployed output has no
 * node_modules to fall back on. Not emitted when the runtime stays external (it then finds its own). After the leak
 * check (same stage, tapped later), as rollup's and esbuild's: the file is the runtime's code, it holds no secret.
 *
 * Decided from the compilation's modules, not from this build's loads: a module restored from a persistent cache
 * runs no load. The lean worker when every secret module was loaded in this build and none is a project envelope;
 * else the full one, which opens every mode (a cached module may be a project envelope).
 */
export function emitSyncWorker(ctx: SecretsContext, compiler: WebpackCompiler | RspackCompiler): void {
  const wp = compiler.webpack as unknown as {
    Compilation: { PROCESS_ASSETS_STAGE_REPORT: number }
    sources: { RawSource: new (source: Buffer) => unknown }
  }
  compiler.hooks.thisCompilation.tap(pluginName, (compilation) => {
    const c = compilation as unknown as {
      hooks: { processAssets: { tap(o: object, fn: () => void): void } }
      modules: Iterable<ModuleLike>
      getAsset(name: string): unknown
      emitAsset(name: string, source: unknown): void
    }
    c.hooks.processAssets.tap({ name: pluginName, stage: wp.Compilation.PROCESS_ASSETS_STAGE_REPORT }, () => {
      if (ctx.syncFiles.size === 0 && !syncOutput(ctx, compiler as unknown as CompilerOptionsLike)) return
      if (c.getAsset(syncWorkerFileName) !== undefined) return
      const paths = modulePaths(c.modules)
      const secrets = paths.filter((p) => ctx.matches(p)).map((p) => ctx.relativeId(p))
      if (secrets.length === 0 || !runtimeInlined(paths)) return
      const cached = secrets.filter((f) => !ctx.syncFiles.has(f))
      const build = cached.length === 0 ? ctx : { projectFiles: new Set(cached), options: ctx.options }
      const source = readSyncWorker(build)
      c.emitAsset(syncWorkerFileName, new wp.sources.RawSource(source))
    })
  })
}
