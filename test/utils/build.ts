import { mkdirSync, writeFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import rspack from '@rspack/core'
import * as esbuild from 'esbuild'
import * as rolldown from 'rolldown'
import * as rollup from 'rollup'
import kmsEsbuild from 'unplugin-kms-secrets/esbuild'
import kmsRolldown from 'unplugin-kms-secrets/rolldown'
import kmsRollup from 'unplugin-kms-secrets/rollup'
import kmsRspack from 'unplugin-kms-secrets/rspack'
import kmsVite from 'unplugin-kms-secrets/vite'
import kmsWebpack from 'unplugin-kms-secrets/webpack'
import * as vite from 'vite'
import webpack from 'webpack'

export type Bundler = 'vite' | 'rollup' | 'rolldown' | 'esbuild' | 'webpack' | 'rspack'
export type OutputFormat = 'esm' | 'cjs'
export type SourceMapMode = 'off' | 'external' | 'inline'
export type PluginOptions = NonNullable<Parameters<typeof kmsVite>[0]>

export const bundlers: Bundler[] = ['vite', 'rollup', 'rolldown', 'esbuild', 'webpack', 'rspack']
export const sourceMapModes: SourceMapMode[] = ['off', 'external', 'inline']

/** Output formats each bundler can emit for a node server (vite's SSR build is ESM only). */
export const outputFormats: Record<Bundler, OutputFormat[]> = {
  vite: ['esm'],
  rollup: ['esm', 'cjs'],
  rolldown: ['esm', 'cjs'],
  esbuild: ['esm', 'cjs'],
  webpack: ['esm', 'cjs'],
  rspack: ['esm', 'cjs'],
}

export interface BuildOptions {
  /** The app's root dir (the fixture copy). */
  root: string
  /** Entry, relative to root. */
  entry: string
  outDir: string
  /** Where the bundler keeps its persistent cache (webpack/rspack filesystem cache, vite cacheDir). */
  cacheDir: string
  format: OutputFormat
  sourcemap: SourceMapMode
  plugin: PluginOptions
  /** 'browser' builds a client bundle (the plugin's client guard must refuse it). Default 'node'. */
  platform?: 'node' | 'browser'
}

export interface BuildOutput {
  /** The emitted entry file to run with node. */
  entryFile: string
  /** Non-fatal warnings the bundler reported (their text). */
  warnings: string[]
}

export function entryFileName(format: OutputFormat): string {
  return format === 'esm' ? 'server.mjs' : 'server.cjs'
}

/** Bare specifiers stay external for rollup (no node-resolve plugin): they resolve from node_modules at run time. */
const isBare = (id: string): boolean => !id.startsWith('.') && !isAbsolute(id) && !id.startsWith('\0')

async function buildVite(o: BuildOptions): Promise<BuildOutput> {
  const warnings: string[] = []
  const client = o.platform === 'browser'
  await vite.build({
    root: o.root,
    configFile: false,
    logLevel: 'silent',
    cacheDir: o.cacheDir,
    customLogger: { ...vite.createLogger('silent'), warn: (m) => void warnings.push(m) },
    plugins: [kmsVite(o.plugin)],
    build: {
      ssr: client ? false : o.entry,
      outDir: o.outDir,
      emptyOutDir: true,
      minify: false,
      manifest: true,
      ssrManifest: !client,
      sourcemap: o.sourcemap === 'off' ? false : o.sourcemap === 'inline' ? 'inline' : true,
      rolldownOptions: {
        ...(client ? { input: join(o.root, o.entry) } : {}),
        output: { format: 'es', entryFileNames: entryFileName('esm') },
      },
    },
  })
  return { entryFile: join(o.outDir, entryFileName('esm')), warnings }
}

async function buildRollup(o: BuildOptions): Promise<BuildOutput> {
  const warnings: string[] = []
  const bundle = await rollup.rollup({
    input: join(o.root, o.entry),
    external: isBare,
    plugins: [kmsRollup(o.plugin)],
    onwarn: (w) => void warnings.push(w.message),
  })
  try {
    await bundle.write({
      dir: o.outDir,
      format: o.format === 'esm' ? 'es' : 'cjs',
      entryFileNames: entryFileName(o.format),
      sourcemap: o.sourcemap === 'off' ? false : o.sourcemap === 'inline' ? 'inline' : true,
    })
  } finally {
    await bundle.close()
  }
  return { entryFile: join(o.outDir, entryFileName(o.format)), warnings }
}

async function buildRolldown(o: BuildOptions): Promise<BuildOutput> {
  const warnings: string[] = []
  await rolldown.build({
    input: join(o.root, o.entry),
    platform: 'node',
    plugins: [kmsRolldown(o.plugin)],
    onLog: (level, log) => void (level === 'warn' && warnings.push(log.message)),
    output: {
      dir: o.outDir,
      format: o.format,
      entryFileNames: entryFileName(o.format),
      sourcemap: o.sourcemap === 'off' ? false : o.sourcemap === 'inline' ? 'inline' : true,
    },
  })
  return { entryFile: join(o.outDir, entryFileName(o.format)), warnings }
}

async function buildEsbuild(o: BuildOptions): Promise<BuildOutput> {
  const entryFile = join(o.outDir, entryFileName(o.format))
  const result = await esbuild.build({
    entryPoints: [join(o.root, o.entry)],
    absWorkingDir: o.root,
    bundle: true,
    platform: o.platform ?? 'node',
    format: o.format,
    target: 'node20',
    outfile: entryFile,
    packages: 'external',
    sourcemap: o.sourcemap === 'off' ? false : o.sourcemap === 'inline' ? 'inline' : 'linked',
    metafile: true,
    logLevel: 'silent',
    plugins: [kmsEsbuild(o.plugin)],
  })
  writeFileSync(join(o.outDir, 'metafile.json'), JSON.stringify(result.metafile))
  return { entryFile, warnings: result.warnings.map((w) => w.text) }
}

export const build: Record<Bundler, (o: BuildOptions) => Promise<BuildOutput>> = {
  vite: buildVite,
  rollup: buildRollup,
  rolldown: buildRolldown,
  esbuild: buildEsbuild,
  webpack: (o) => buildWebpackLike('webpack', o),
  rspack: (o) => buildWebpackLike('rspack', o),
}

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
async function buildWebpackLike(kind: 'webpack' | 'rspack', o: BuildOptions): Promise<BuildOutput> {
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
