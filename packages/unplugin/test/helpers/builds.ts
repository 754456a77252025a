import { join } from 'node:path'
import { type BuildOptions, build as esbuild } from 'esbuild'
import type { InlineConfig } from 'vite'
import kmsEsbuild from '../../src/esbuild'
import kmsVite from '../../src/vite'
import type { App } from './app'

/** The runtime stays external: the test apps import it from this workspace. */
export const runtimeExternal = ['@kms-secrets/runtime']

/** A vite config for the test app with the plugin; `extra` (a build, a server) is spread over it. */
export function viteConfig(app: App, extra: InlineConfig = {}): InlineConfig {
  return {
    root: app.root,
    configFile: false,
    logLevel: 'silent',
    cacheDir: join(app.root, '.vite'),
    plugins: [kmsVite(app.plugin)],
    ssr: { external: runtimeExternal },
    ...extra,
  }
}

/** An esbuild ESM node bundle of the test app's src/server.js into dist/; `options` are spread over it. */
export function esbuildApp(app: App, options: BuildOptions = {}) {
  return esbuild({
    absWorkingDir: app.root,
    entryPoints: ['src/server.js'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outdir: 'dist',
    external: runtimeExternal,
    logLevel: 'silent',
    plugins: [kmsEsbuild(app.plugin)],
    ...options,
  })
}

/** A webpack/rspack config for the test app: CommonJS node output in `app.out`, the runtime external, unminified. */
export function webpackAppConfig(app: App, plugins: unknown[], extra: object = {}) {
  return {
    ...extra,
    mode: 'production',
    context: app.root,
    target: 'node',
    entry: './src/server.js',
    output: { path: app.out, filename: 'server.js', library: { type: 'commonjs2' } },
    externals: { '@kms-secrets/runtime': 'commonjs @kms-secrets/runtime' },
    optimization: { minimize: false },
    plugins,
  }
}

interface Stats {
  hasErrors(): boolean
  toString(o: object): string
}

/** Runs a webpack-API compiler once and closes it; rejects with the compilation's errors on a fatal or build error. */
export function runCompiler(compiler: {
  run(cb: (err: Error | null, stats?: Stats) => void): void
  close(cb: () => void): void
}): Promise<void> {
  return new Promise<void>((resolve, reject) =>
    compiler.run((err, stats) =>
      compiler.close(() => {
        if (err || stats?.hasErrors()) reject(err ?? new Error(stats?.toString({ all: false, errors: true })))
        else resolve()
      }),
    ),
  )
}
