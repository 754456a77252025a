import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import rspack from '@rspack/core'
import kmsRspack from 'unplugin-kms-secrets/rspack'
import kmsWebpack from 'unplugin-kms-secrets/webpack'
import webpack from 'webpack'
import { type BuildOptions, type BuildOutput, entryFileName, isBare } from './build-types.js'

function webpackLikeConfig(kind: 'webpack' | 'rspack', o: BuildOptions): Record<string, unknown> {
  const esm = o.format === 'esm'
  const cache =
    o.extras === false
      ? false
      : kind === 'webpack'
        ? { type: 'filesystem', cacheDirectory: o.cacheDir }
        : { type: 'persistent', storage: { type: 'filesystem', directory: o.cacheDir } }
  const plugin = kind === 'webpack' ? kmsWebpack : kmsRspack
  type External = (data: { request?: string }, callback: (err?: null, result?: string) => void) => void
  const bare: External = ({ request }, callback) => (request && isBare(request) ? callback(null, request) : callback())
  return {
    mode: 'production',
    context: o.root,
    entry: join(o.root, o.entry),
    target: o.platform === 'browser' ? 'web' : 'node20',
    output: {
      path: o.outDir,
      filename: entryFileName(o.format),
      clean: true,
      module: esm,
      chunkFormat: o.platform === 'browser' ? undefined : esm ? 'module' : 'commonjs',
      library: { type: esm ? 'module' : 'commonjs2' },
    },
    ...(o.externals === 'bare' ? { externalsType: esm ? 'module' : 'commonjs', externals: [bare] } : {}),
    ...(kind === 'webpack' && esm ? { experiments: { outputModule: true } } : {}),
    devtool: o.sourcemap === 'off' ? false : o.sourcemap === 'inline' ? 'inline-source-map' : 'source-map',
    optimization: { minimize: false },
    cache,
    infrastructureLogging: { level: 'error' },
    plugins: o.plugins ?? [plugin(o.plugin)],
    ...(o.moduleRules ? { module: { rules: o.moduleRules } } : {}),
  }
}

/**
 * webpack and rspack share one API shape: run `config` once, then close the compiler (which flushes a filesystem
 * cache), and give the stats; a compilation's errors are in the stats (`hasErrors()`), not thrown.
 */
export async function compileWebpackLike(
  kind: 'webpack' | 'rspack',
  config: Record<string, unknown>,
): Promise<WebpackLikeStats | undefined> {
  const compiler = (kind === 'webpack' ? webpack(config as never) : rspack(config as never)) as unknown as {
    run(cb: (err: Error | null, stats?: WebpackLikeStats) => void): void
    close(cb: (err?: Error | null) => void): void
  }
  const run = await new Promise<{ err: Error | null; stats?: WebpackLikeStats }>((resolve) =>
    compiler.run((err, stats) => resolve({ err, stats })),
  )
  const closed = new Promise<void>((resolve, reject) => compiler.close((err) => (err ? reject(err) : resolve())))
  if (run.err) {
    closed.catch(() => undefined)
    throw run.err
  }
  await closed
  return run.stats
}

export async function buildWebpackLike(kind: 'webpack' | 'rspack', o: BuildOptions): Promise<BuildOutput> {
  const stats = await compileWebpackLike(kind, webpackLikeConfig(kind, o))
  const extras = o.extras !== false
  // Without extras only a failed build's errors are read (the bench times the build itself).
  const json = extras
    ? stats?.toJson({ all: false, errors: true, warnings: true, modules: true, source: true, assets: true })
    : stats?.hasErrors()
      ? stats.toJson({ all: false, errors: true })
      : undefined
  if (extras) {
    mkdirSync(o.outDir, { recursive: true })
    writeFileSync(join(o.outDir, 'stats.json'), JSON.stringify(json ?? {}))
  }
  if (stats?.hasErrors()) throw new BundlerError(kind, (json?.errors ?? []).map(formatStatsError))
  return {
    entryFile: join(o.outDir, entryFileName(o.format)),
    warnings: (json?.warnings ?? []).map(formatStatsError),
  }
}

export interface WebpackLikeStats {
  hasErrors(): boolean
  toJson(opts: Record<string, unknown>): { errors?: unknown[]; warnings?: unknown[] }
  toString(opts: Record<string, unknown>): string
}

function formatStatsError(e: unknown): string {
  if (typeof e === 'string') return e
  const o = e as { message?: string; moduleName?: string; details?: string }
  return [o.moduleName, o.message, o.details].filter(Boolean).join(': ')
}

/** A failed webpack/rspack compilation (those report errors in stats instead of throwing). */
export class BundlerError extends Error {
  readonly errors: string[]
  constructor(bundler: string, errors: string[]) {
    super(`${bundler} build failed:\n${errors.join('\n')}`)
    this.errors = errors
  }
}
