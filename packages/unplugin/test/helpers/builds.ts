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
