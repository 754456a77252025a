import { join } from 'node:path'
import { rspack } from '@rspack/core'
import { rolldown } from 'rolldown'
import { rollup } from 'rollup'
import { build as viteBuild } from 'vite'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import webpack from 'webpack'
import { adapters } from '../src/core/bundlers'
import { kmsSecrets } from '../src/core/unplugin'
import kmsRolldown from '../src/rolldown'
import kmsRollup from '../src/rollup'
import kmsRspack from '../src/rspack'
import kmsWebpack from '../src/webpack'
import { type App, createApp } from './helpers/app'
import { esbuildApp, viteConfig } from './helpers/builds'

/** buildStart/buildEnd calls on the contexts the factory creates (the lifecycle the adapters run). */
const calls = vi.hoisted(() => ({ start: 0, end: 0 }))

vi.mock('../src/core/context', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../src/core/context')>()
  return {
    ...mod,
    createContext(...args: Parameters<typeof mod.createContext>) {
      const ctx = mod.createContext(...args)
      const { buildStart, buildEnd } = ctx
      ctx.buildStart = () => {
        calls.start++
        buildStart()
      }
      ctx.buildEnd = () => {
        calls.end++
        buildEnd()
      }
      return ctx
    },
  }
})

const external = ['@kms-secrets/runtime']
const input = (app: App) => join(app.root, 'src/server.js')

/** Runs a webpack-API compiler once; rejects on a fatal or compilation error. */
function runWebpackLike(factory: (config: never) => unknown, plugin: (o: object) => unknown, app: App) {
  const compiler = factory({
    mode: 'production',
    context: app.root,
    target: 'node',
    entry: './src/server.js',
    output: { path: app.out, filename: 'server.js', library: { type: 'commonjs2' } },
    externals: { '@kms-secrets/runtime': 'commonjs @kms-secrets/runtime' },
    optimization: { minimize: false },
    plugins: [plugin(app.plugin)],
  } as never) as {
    run(cb: (err: Error | null, stats?: { hasErrors(): boolean; toJson(o: object): unknown }) => void): void
    close(cb: () => void): void
  }
  return new Promise<void>((resolve, reject) => {
    compiler.run((err, stats) => {
      compiler.close(() => {})
      if (err || stats?.hasErrors()) reject(err ?? new Error(JSON.stringify(stats?.toJson({ errors: true }))))
      else resolve()
    })
  })
}

const builds: Record<string, (app: App) => Promise<unknown>> = {
  vite: (app) =>
    viteBuild(viteConfig(app, { build: { ssr: 'src/server.js', outDir: 'dist', rollupOptions: { external } } })),
  rollup: async (app) => {
    const bundle = await rollup({ input: input(app), external, plugins: [kmsRollup(app.plugin)] })
    await bundle.write({ dir: app.out, format: 'es' })
    await bundle.close()
  },
  rolldown: async (app) => {
    const bundle = await rolldown({ input: input(app), external, plugins: [kmsRolldown(app.plugin)] })
    await bundle.write({ dir: app.out, format: 'es' })
    await bundle.close()
  },
  esbuild: (app) => esbuildApp(app),
  webpack: (app) => runWebpackLike(webpack as never, kmsWebpack as never, app),
  rspack: (app) => runWebpackLike(rspack as never, kmsRspack as never, app),
}

describe('one build lifecycle per bundler', () => {
  beforeEach(() => {
    calls.start = 0
    calls.end = 0
  })

  it.each(Object.keys(builds))('%s: one buildStart and one buildEnd per build', async (name) => {
    const app = createApp()
    await builds[name]!(app)
    expect(calls).toEqual({ start: 1, end: 1 })
    expect(app.kms.count('GenerateDataKey')).toBe(1)
  })
})

describe('adapters', () => {
  it('every bundler unplugin may name has an adapter; the ones not proven here refuse with ERR_PLUGIN_OPTIONS', () => {
    expect(Object.keys(adapters).sort()).toEqual(
      ['bun', 'esbuild', 'farm', 'rolldown', 'rollup', 'rsbuild', 'rspack', 'unloader', 'vite', 'webpack'].sort(),
    )
    expect(() => kmsSecrets.raw({}, { framework: 'farm', versions: {} })).toThrow(
      expect.objectContaining({ code: 'ERR_PLUGIN_OPTIONS' }),
    )
  })
})
