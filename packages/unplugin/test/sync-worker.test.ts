import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { createProjectKey, encodeProjectKey } from '@kms-secrets/core'
import { createFakeKms } from '@kms-secrets/testkit/fake-kms'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { rollupFamilyHooks } from '../src/core/bundlers/rollup'
import { createContext } from '../src/core/context'
import { syncWorkerEntry, syncWorkerFileName } from '../src/core/sync-worker'
import kmsEsbuild from '../src/esbuild'
import { createApp } from './helpers/app'

// Issue 11: the worker file written next to a CommonJS bundle has mode "project" only when a secret of the build is
// sealed with a project key; otherwise the lean one (no HPKE receiver, no recipient-key import) is written.
const require = createRequire(import.meta.url)
const full = readFileSync(require.resolve('@kms-secrets/runtime/worker-standalone'))
const lean = readFileSync(require.resolve('@kms-secrets/runtime/worker-standalone-lean'))
const nodeModules = join(import.meta.dirname, '..', 'node_modules')
const cmk = createFakeKms({ keys: ['sym-1'] })

/** The test app, sealed with a project key (kms-secrets.json in reach, no provider) or by the fake KMS. */
async function app(project: boolean) {
  const a = createApp()
  if (!project) return { root: a.root, out: a.out, plugin: a.plugin }
  writeFileSync(
    join(a.root, 'kms-secrets.json'),
    encodeProjectKey(await createProjectKey({ provider: cmk, keyId: 'sym-1' })),
  )
  const { provider: _p, keyId: _k, ...plugin } = a.plugin
  return { root: a.root, out: a.out, plugin }
}

/** A CommonJS esbuild bundle with the runtime inlined (resolved from this package's node_modules). */
async function esbuildCjs(project: boolean, options: { cloud?: boolean } = {}) {
  const a = await app(project)
  await build({
    absWorkingDir: a.root,
    entryPoints: ['src/server.js'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outdir: 'dist',
    nodePaths: [nodeModules],
    metafile: true,
    logLevel: 'silent',
    plugins: [kmsEsbuild({ ...a.plugin, ...options })],
  })
  const bundle = readFileSync(join(a.out, 'server.js'), 'utf8')
  const worker = join(a.out, syncWorkerFileName)
  return { bundle, worker: existsSync(worker) ? readFileSync(worker) : undefined }
}

describe('the CommonJS worker file', () => {
  it('the two runtime files differ: only the full one has mode "project"', () => {
    expect(lean.length).toBeLessThan(full.length - 3 * 1024)
    // The HPKE receiver's export label (RFC 9180) is in the full worker only.
    expect(full.toString('latin1')).toContain('HPKE-v1')
    expect(lean.toString('latin1')).not.toContain('HPKE-v1')
    expect(syncWorkerEntry({ projectFiles: new Set() })).toBe('@kms-secrets/runtime/worker-standalone-lean')
    expect(syncWorkerEntry({ projectFiles: new Set(['src/config/db.secret.json']) })).toBe(
      '@kms-secrets/runtime/worker-standalone',
    )
  })

  it('esbuild: the lean worker for a build without project-key secrets', async () => {
    const { bundle, worker } = await esbuildCjs(false)
    expect(bundle).toMatch(/"mode": ?"(envelope|direct)"/)
    expect(bundle).not.toMatch(/"mode": ?"project"/)
    expect(worker?.equals(lean)).toBe(true)
  })

  it('esbuild: the full worker for a build with project-key secrets', async () => {
    const { bundle, worker } = await esbuildCjs(true)
    expect(bundle).toMatch(/"mode": ?"project"/)
    expect(worker?.equals(full)).toBe(true)
  })

  it.each([
    [false, lean],
    [true, full],
  ])('rollup, rolldown, vite (generateBundle): project files %s → that worker', async (project, expected) => {
    const a = await app(project)
    const ctx = createContext(a.plugin)
    const hooks = rollupFamilyHooks(ctx)
    ctx.buildStart()
    const file = join(a.root, 'src/config/db.secret.json')
    await ctx.load(file, { client: false, sync: true, runtimeEntry: 'require' })
    hooks.buildEnd.call({} as never)
    const emitted: { fileName: string; source: Uint8Array }[] = []
    const plugin = {
      error: (e: unknown) => {
        throw e
      },
      getModuleInfo: () => null,
      // The runtime inlined (one of its files is a module of the build).
      getModuleIds: () => [file, require.resolve('@kms-secrets/runtime/sync')][Symbol.iterator](),
      emitFile: (f: { fileName: string; source: Uint8Array }) => {
        emitted.push(f)
        return f.fileName
      },
    }
    hooks.generateBundle.handler.call(plugin, {}, {})
    expect(emitted.map((f) => f.fileName)).toEqual([syncWorkerFileName])
    expect(Buffer.from(emitted[0]!.source).equals(expected)).toBe(true)
    // The next build starts afresh: what it loads decides.
    ctx.buildStart()
    expect(ctx.projectFiles.size).toBe(0)
  })
})

describe('the CommonJS worker file with the plugin option cloud: true', () => {
  const leanCloud = readFileSync(require.resolve('@kms-secrets/runtime/worker-standalone-lean-cloud'))
  const fullCloud = readFileSync(require.resolve('@kms-secrets/runtime/worker-standalone-cloud'))

  it('picks the worker with `@kms-secrets/runtime/cloud` inside, lean or full as without it', () => {
    const cloud = { cloud: true }
    expect(syncWorkerEntry({ projectFiles: new Set(), options: cloud })).toBe(
      '@kms-secrets/runtime/worker-standalone-lean-cloud',
    )
    expect(syncWorkerEntry({ projectFiles: new Set(['a.secret.json']), options: cloud })).toBe(
      '@kms-secrets/runtime/worker-standalone-cloud',
    )
    expect(syncWorkerEntry({ projectFiles: new Set(), options: { cloud: false } })).toBe(
      '@kms-secrets/runtime/worker-standalone-lean',
    )
    // The CVM metadata host is in the add-on only.
    for (const w of [leanCloud, fullCloud]) expect(w.toString('latin1')).toContain('metadata.tencentyun.com')
    for (const w of [lean, full]) expect(w.toString('latin1')).not.toContain('metadata.tencentyun.com')
  })

  it('esbuild writes it next to a CommonJS bundle', async () => {
    const { bundle, worker } = await esbuildCjs(false, { cloud: true })
    expect(worker?.equals(leanCloud)).toBe(true)
    // CommonJS code opens in the worker: the bundle itself imports no add-on.
    expect(bundle).not.toContain('metadata.tencentyun.com')
  })
})
