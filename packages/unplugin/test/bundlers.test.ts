import { cpSync, existsSync, linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
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
import { type App, createApp, expectNoPlaintext } from './helpers/app'
import { esbuildApp, runCompiler, viteConfig, webpackAppConfig } from './helpers/builds'

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
  return runCompiler(factory(webpackAppConfig(app, [plugin(app.plugin)]) as never) as never)
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

/** The error of a promise that must reject. */
async function failure(p: Promise<unknown>): Promise<Error & { pluginCode?: string }> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e, 'expected a failure').toBeDefined()
  return e as Error & { pluginCode?: string }
}

describe('rolldown: one bundle, two outputs', () => {
  it('after an ESM write, a cjs write of the same (top-level-await) modules says what to set', async () => {
    const app = createApp()
    const bundle = await rolldown({ input: input(app), external, plugins: [kmsRolldown(app.plugin)] })
    await bundle.write({ dir: app.out, format: 'esm' })
    expect(expectNoPlaintext(app.out)).toContain('await openSecret(')
    const e = await failure(bundle.write({ dir: join(app.root, 'cjs'), format: 'cjs' }))
    expect(JSON.stringify(e) + String(e.message)).toContain('ERR_PLUGIN_OUTPUT_FORMAT')
    expect(existsSync(join(app.root, 'cjs'))).toBe(false)
    await bundle.close()
  })
})

describe('vite build: publicDir is copied as is, so a secret in it fails the build (ERR_PLUGIN_LEAK)', () => {
  const ssrBuild = (app: App) => viteBuild(viteConfig(app, { build: { ssr: 'src/server.js', outDir: 'dist' } }))
  const secret = (app: App) => join(app.root, 'src/config/db.secret.json')

  it.each([
    [
      'a copy of a secret file',
      (from: string, to: string) => cpSync(from, to.replace('settings', 'db.secret')),
      'public/db.secret.json',
    ],
    ['a symlink with another name', (from: string, to: string) => symlinkSync(from, to), 'public/settings.json'],
    ['a hard link with another name', (from: string, to: string) => linkSync(from, to), 'public/settings.json'],
    [
      'a symlinked directory',
      (from: string, to: string) => symlinkSync(dirname(from), to.replace('settings.json', 'conf')),
      'public/conf',
    ],
  ])('refuses %s', async (_, link, named) => {
    const app = createApp()
    mkdirSync(join(app.root, 'public'))
    link(secret(app), join(app.root, 'public/settings.json'))
    const e = await failure(ssrBuild(app))
    expect(e.message).toContain('ERR_PLUGIN_LEAK')
    expect(e.message).toContain(named)
    expect(app.kms.calls).toEqual([])
  })

  it('refuses a local-kms data dir', async () => {
    const app = createApp()
    mkdirSync(join(app.root, 'public/kms'), { recursive: true })
    writeFileSync(join(app.root, 'public/kms/local-kms.json'), JSON.stringify({ format: 'local-kms/data-dir@1' }))
    const e = await failure(ssrBuild(app))
    expect(e.message).toContain('ERR_PLUGIN_LEAK')
    expect(e.message).toContain('public/kms/local-kms.json')
  })
})
