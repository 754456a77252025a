import type kmsVite from 'unplugin-kms-secrets/vite'

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
