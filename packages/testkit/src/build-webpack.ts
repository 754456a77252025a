import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import rspack from '@rspack/core'
import kmsRspack from 'unplugin-kms-secrets/rspack'
import kmsWebpack from 'unplugin-kms-secrets/webpack'
import webpack from 'webpack'
import { type BuildOptions, type BuildOutput, entryFileName } from './build-types.js'

function webpackLikeConfig(kind: 'webpack' | 'rspack', o: BuildOptions): Record<string, unknown> {
  const esm = o.format === 'esm'
  const cache =
    kind === 'webpack'
      ? { type: 'filesystem', cacheDirectory: o.cacheDir }
      : { type: 'persistent', storage: { type: 'filesystem', directory: o.cacheDir } }
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
    ...(kind === 'webpack' && esm ? { experiments: { outputModule: true } } : {}),
    devtool: o.sourcemap === 'off' ? false : o.sourcemap === 'inline' ? 'inline-source-map' : 'source-map',
    optimization: { minimize: false },
    cache,
    infrastructureLogging: { level: 'error' },
    plugins: [kind === 'webpack' ? kmsWebpack(o.plugin) : kmsRspack(o.plugin)],
  }
}

/** webpack and rspack share one API shape: run, collect stats, close (which flushes the filesystem cache). */
export async function buildWebpackLike(kind: 'webpack' | 'rspack', o: BuildOptions): Promise<BuildOutput> {
  const config = webpackLikeConfig(kind, o)
  const compiler = (kind === 'webpack' ? webpack(config as never) : rspack(config as never)) as unknown as {
    run(cb: (err: Error | null, stats?: WebpackLikeStats) => void): void
    close(cb: (err?: Error | null) => void): void
  }
  const stats = await new Promise<WebpackLikeStats | undefined>((resolve, reject) =>
    compiler.run((err, s) => (err ? reject(err) : resolve(s))),
  )
  await new Promise<void>((resolve, reject) => compiler.close((err) => (err ? reject(err) : resolve())))
  mkdirSync(o.outDir, { recursive: true })
  const json = stats?.toJson({ all: false, errors: true, warnings: true, modules: true, source: true, assets: true })
  writeFileSync(join(o.outDir, 'stats.json'), JSON.stringify(json ?? {}))
  if (stats?.hasErrors()) throw new BundlerError(kind, (json?.errors ?? []).map(formatStatsError))
  return {
    entryFile: join(o.outDir, entryFileName(o.format)),
    warnings: (json?.warnings ?? []).map(formatStatsError),
  }
}

interface WebpackLikeStats {
  hasErrors(): boolean
  toJson(opts: Record<string, unknown>): { errors?: unknown[]; warnings?: unknown[] }
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
