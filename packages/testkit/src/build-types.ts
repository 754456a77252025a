import { isAbsolute } from 'node:path'
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
  /** Where the bundler keeps its persistent cache (webpack/rspack filesystem cache unless `extras` is false; vite's cacheDir). */
  cacheDir: string
  format: OutputFormat
  sourcemap: SourceMapMode
  plugin: PluginOptions
  /** 'browser' builds a client bundle (the plugin's client guard must refuse it). Default 'node'. */
  platform?: 'node' | 'browser'
  /**
   * Instead of the plugin made from `plugin`: these bundler plugins ([] for none) — the bench's floors, or the plugin
   * from another built copy. `plugin` is then unused.
   */
  plugins?: unknown[]
  /** webpack/rspack: module rules to add (the bench's loader floors). */
  moduleRules?: unknown[]
  /**
   * 'bare': every bare import stays external in every bundler (node_modules ship next to the server, as the bench
   * builds it). Default: each bundler's own default for a node build (rollup and esbuild keep packages external).
   */
  externals?: 'bare'
  /**
   * false: only the bundle — no persistent cache (webpack/rspack), manifests (vite), metafile.json (esbuild) or
   * stats.json (webpack/rspack), which the e2e scans read; the bench times the bundler alone. Default true.
   */
  extras?: boolean
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

/** Bare specifiers (packages), as opposed to relative, absolute and virtual (`\0`) ids. */
export const isBare = (id: string): boolean => !id.startsWith('.') && !isAbsolute(id) && !id.startsWith('\0')
