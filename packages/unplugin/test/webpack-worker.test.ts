import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { createProjectKey, encodeProjectKey } from '@kms-secrets/core'
import { rspack } from '@rspack/core'
import { describe, expect, it } from 'vitest'
import webpack from 'webpack'
import { syncWorkerFileName } from '../src/core/sync-worker'
import kmsRspack from '../src/rspack'
import kmsWebpack from '../src/webpack'
import { type App, createApp } from './helpers/app'
import { createFakeKms } from './helpers/fake-kms'
import { tempProject } from './helpers/project'

// webpack/rspack CommonJS output with a synchronous decrypt (`sync: true`, or top-level await off) that inlined the
// runtime gets the runtime's worker file next to it, as rollup's and esbuild's do: without it a deployed output
// (no node_modules) fails at start with ERR_RUNTIME_WORKER. test/bundle-all.test.ts runs such an output.
const require = createRequire(import.meta.url)
const full = readFileSync(require.resolve('@kms-secrets/runtime/worker-standalone'))
const lean = readFileSync(require.resolve('@kms-secrets/runtime/worker-standalone-lean'))
const nodeModules = join(import.meta.dirname, '..', 'node_modules')
/** The generated module's awaited call (`await (0, …)({"kmsSecrets":…` in webpack's output); sync code has none. */
const awaitedCall = /await [^;]{0,120}\(\{"kmsSecrets"/
const bundlers = { webpack: [webpack, kmsWebpack], rspack: [rspack, kmsRspack] } as const

interface Build {
  project?: boolean
  external?: boolean
  sync?: true
  topLevelAwait?: false
  /** Build twice with a persistent cache in this dir (the second build restores the secret modules from it). */
  cacheDir?: string
}

/** Builds the test app with webpack or rspack to CommonJS; gives the generated bundle and the worker file, if any. */
async function build(kind: keyof typeof bundlers, b: Build) {
  const app = createApp()
  const cache =
    b.cacheDir === undefined
      ? {}
      : kind === 'webpack'
        ? { cache: { type: 'filesystem', cacheDirectory: b.cacheDir } }
        : { cache: { type: 'persistent', storage: { type: 'filesystem', directory: b.cacheDir } } }
  let plugin: object = { ...app.plugin, ...(b.sync ? { sync: true } : {}) }
  if (b.project) {
    const cmk = createFakeKms({ keys: ['sym-1'] })
    const key = await createProjectKey({ provider: cmk, keyId: 'sym-1' })
    writeFileSync(join(app.root, 'kms-secrets.json'), encodeProjectKey(key))
    const { provider: _p, keyId: _k, ...rest } = plugin as typeof app.plugin
    plugin = rest
  }
  const [factory, kms] = bundlers[kind]
  await compile(factory, kms, app, plugin, b, cache)
  // As a CI job that restored the cache: no output of the last build, every module from the cache.
  if (b.cacheDir !== undefined) {
    rmSync(app.out, { recursive: true })
    await compile(factory, kms, app, plugin, b, cache)
  }
  const worker = join(app.out, syncWorkerFileName)
  return {
    bundle: readFileSync(join(app.out, 'server.js'), 'utf8'),
    worker: existsSync(worker) ? readFileSync(worker) : undefined,
  }
}

async function compile(factory: unknown, kms: unknown, app: App, plugin: object, b: Build, cache: object) {
  const compiler = (factory as (c: object) => unknown)({
    mode: 'production',
    context: app.root,
    target: 'node',
    entry: './src/server.js',
    output: { path: app.out, filename: 'server.js', library: { type: 'commonjs2' }, clean: true },
    ...cache,
    resolve: { modules: ['node_modules', nodeModules] },
    ...(b.external ? { externals: { '@kms-secrets/runtime/sync': 'commonjs @kms-secrets/runtime/sync' } } : {}),
    ...(b.topLevelAwait === false ? { experiments: { topLevelAwait: false } } : {}),
    optimization: { minimize: false },
    plugins: [(kms as (o: object) => unknown)(plugin)],
  }) as {
    run(cb: (err: Error | null, stats?: { hasErrors(): boolean; toString(o: object): string }) => void): void
    close(cb: () => void): void
  }
  // Closed before the result counts: closing writes the persistent cache the next build reads.
  await new Promise<void>((resolve, reject) =>
    compiler.run((err, stats) =>
      compiler.close(() => {
        if (err || stats?.hasErrors()) reject(err ?? new Error(stats?.toString({ all: false, errors: true })))
        else resolve()
      }),
    ),
  )
}

describe.each(Object.keys(bundlers) as (keyof typeof bundlers)[])('%s: the CommonJS worker file', (kind) => {
  it('sync: true, runtime inlined: the lean worker next to the bundle', async () => {
    const { bundle, worker } = await build(kind, { sync: true })
    expect(bundle).toMatch(/\(\{"kmsSecrets"/)
    expect(bundle).not.toMatch(awaitedCall)
    expect(bundle).not.toMatch(/"mode": ?"project"/)
    expect(worker?.equals(lean)).toBe(true)
  })

  it('top-level await off (sync: auto): the lean worker too', async () => {
    const { bundle, worker } = await build(kind, { topLevelAwait: false })
    expect(bundle).toMatch(/\(\{"kmsSecrets"/)
    expect(bundle).not.toMatch(awaitedCall)
    expect(worker?.equals(lean)).toBe(true)
  })

  it('a project-key secret: the full worker', async () => {
    const { bundle, worker } = await build(kind, { sync: true, project: true })
    expect(bundle).toMatch(/"mode": ?"project"/)
    expect(worker?.equals(full)).toBe(true)
  })

  it('a build from a restored persistent cache: the worker again, the full one unless every secret was loaded', async () => {
    const { bundle, worker } = await build(kind, { sync: true, cacheDir: join(tempProject(), 'cache') })
    expect(bundle).not.toMatch(awaitedCall)
    expect(worker === undefined ? undefined : worker.equals(full) || worker.equals(lean)).toBe(true)
  })

  it('the runtime external: no worker file (the installed runtime has its own)', async () => {
    const { bundle, worker } = await build(kind, { sync: true, external: true })
    expect(bundle).toContain('require("@kms-secrets/runtime/sync")')
    expect(worker).toBeUndefined()
  })

  it('top-level await (the default): no worker file', async () => {
    const { bundle, worker } = await build(kind, {})
    expect(bundle).toMatch(awaitedCall)
    expect(worker).toBeUndefined()
  })
})
