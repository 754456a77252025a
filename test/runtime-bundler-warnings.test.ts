import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { compileWebpackLike } from '@kms-secrets/testkit/build'
import * as esbuild from 'esbuild'
import * as rolldown from 'rolldown'
import * as rollup from 'rollup'
import * as vite from 'vite'
import { afterAll, describe, expect, it } from 'vitest'

/**
 * "No warning from our code in any supported bundler's output" (issue 11): a tiny server app that re-exports all of
 * `@kms-secrets/runtime` (nothing tree-shaken away) is bundled with the runtime INLINED, as ESM and as CommonJS
 * output, by every supported bundler; no warning may name the runtime or core. esbuild also runs in the runtime's
 * size test. Warnings about anything else are printed, not failed on.
 */

const tmp = join(import.meta.dirname, '.tmp')
mkdirSync(tmp, { recursive: true })
const root = mkdtempSync(join(tmp, 'runtime-warnings-'))
writeFileSync(join(root, 'entry.mjs'), "export * from '@kms-secrets/runtime'\n")
writeFileSync(join(root, 'entry.cjs'), "module.exports = require('@kms-secrets/runtime')\n")
// Control: code every bundler warns about (direct eval; a require of a variable), to prove warnings are collected.
writeFileSync(join(root, 'control.mjs'), 'export const e = () => eval("1")\n')
writeFileSync(join(root, 'control.cjs'), 'module.exports = (n) => require(n)\n')
afterAll(() => rmSync(root, { recursive: true, force: true }))

const require_ = createRequire(join(import.meta.dirname, 'package.json'))
const runtimeEsm = join(require_.resolve('@kms-secrets/runtime/package.json'), '../dist/index.mjs')
const oursRE = /@kms-secrets|kms-secrets-worker|packages[\\/](?:runtime|core)[\\/]|runtime[\\/]dist[\\/]/

type Format = 'esm' | 'cjs'
/** `entry`: the app's file; rollup and vite read the ESM one for CommonJS output too (no CommonJS plugin here). */
type Build = (format: Format, out: string, entry: string) => Promise<string[]>
const esmOnly = (entry: string) => entry.replace(/\.cjs$/, '.mjs')
const fileName = (format: Format) => (format === 'esm' ? 'server.mjs' : 'server.cjs')

/** rollup has no node resolution of its own (no @rollup/plugin-node-resolve here): point the runtime at its dist. */
const resolveRuntime = {
  name: 'resolve-runtime',
  resolveId: (id: string) => (id === '@kms-secrets/runtime' ? runtimeEsm : null),
}

const webpackLike =
  (kind: 'webpack' | 'rspack'): Build =>
  async (format, out, entry) => {
    const esm = format === 'esm'
    const config = {
      mode: 'production',
      context: root,
      entry: join(root, entry),
      target: 'node20',
      output: {
        path: out,
        filename: fileName(format),
        module: esm,
        chunkFormat: esm ? 'module' : 'commonjs',
        library: { type: esm ? 'module' : 'commonjs2' },
      },
      ...(kind === 'webpack' && esm ? { experiments: { outputModule: true } } : {}),
      infrastructureLogging: { level: 'error' },
    }
    const stats = (await compileWebpackLike(kind, config))?.toJson({ all: false, warnings: true, errors: true }) ?? {}
    const text = (e: unknown) => (typeof e === 'string' ? e : JSON.stringify(e))
    expect(stats.errors ?? []).toEqual([])
    return (stats.warnings ?? []).map(text)
  }

const builds: Record<string, Build> = {
  async esbuild(format, out, entry) {
    const r = await esbuild.build({
      entryPoints: [join(root, entry)],
      absWorkingDir: root,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format,
      outfile: join(out, fileName(format)),
      logLevel: 'silent',
    })
    return r.warnings.map((w) => `${w.location?.file ?? ''}: ${w.text}`)
  },
  async rollup(format, out, entry) {
    const warnings: string[] = []
    const bundle = await rollup.rollup({
      input: join(root, esmOnly(entry)),
      external: (id) => id.startsWith('node:'),
      plugins: [resolveRuntime],
      onwarn: (w) => void warnings.push(`${w.id ?? w.loc?.file ?? ''}: ${w.code}: ${w.message}`),
    })
    await bundle.write({ dir: out, format: format === 'esm' ? 'es' : 'cjs', entryFileNames: fileName(format) })
    await bundle.close()
    return warnings
  },
  async rolldown(format, out, entry) {
    const warnings: string[] = []
    await rolldown.build({
      input: join(root, entry),
      platform: 'node',
      onLog: (level, log) => void (level === 'warn' && warnings.push(`${log.id ?? ''}: ${log.code}: ${log.message}`)),
      output: { dir: out, format, entryFileNames: fileName(format) },
    })
    return warnings
  },
  async vite(format, out, entry) {
    const warnings: string[] = []
    await vite.build({
      root,
      configFile: false,
      logLevel: 'warn',
      customLogger: { ...vite.createLogger('silent'), warn: (m) => void warnings.push(m) },
      ssr: { noExternal: true },
      build: {
        ssr: join(root, esmOnly(entry)),
        outDir: out,
        emptyOutDir: true,
        rolldownOptions: {
          output: { format: format === 'esm' ? 'es' : 'cjs', entryFileNames: fileName(format) },
          onLog: (level, log) => void (level === 'warn' && warnings.push(`${log.id ?? ''}: ${log.message}`)),
        },
      },
    })
    return warnings
  },
  webpack: webpackLike('webpack'),
  rspack: webpackLike('rspack'),
}

describe('no bundler warns about the runtime inlined into a server bundle', () => {
  it.each(Object.keys(builds).flatMap((b) => (['esm', 'cjs'] as const).map((f) => [b, f] as const)))(
    '%s, %s output',
    async (bundler, format) => {
      const out = join(root, `${bundler}-${format}`)
      const warnings = await builds[bundler]!(format, out, format === 'esm' ? 'entry.mjs' : 'entry.cjs')
      const ours = warnings.filter((w) => oursRE.test(w))
      if (warnings.length > ours.length) console.info(`${bundler} ${format}: other warnings`, warnings)
      expect(ours).toEqual([])
      // The bundle loads: the runtime's exports are there and importing it makes no KMS call.
      const file = join(out, fileName(format))
      const probe =
        format === 'esm'
          ? `import(${JSON.stringify(file)}).then((m) => m.default ?? m)`
          : `Promise.resolve(require(${JSON.stringify(file)}))`
      const r = spawnSync(
        process.execPath,
        ['-e', `${probe}.then((m) => console.log(typeof m.openSecret, typeof m.openSecretSync))`],
        { encoding: 'utf8' },
      )
      expect(r.stdout.trim()).toBe('function function')
    },
  )
})

describe('control: the same builds report a warning about code they dislike', () => {
  it.each(Object.keys(builds))('%s', async (bundler) => {
    const entry = bundler === 'webpack' || bundler === 'rspack' ? 'control.cjs' : 'control.mjs'
    const warnings = await builds[bundler]!('cjs', join(root, `${bundler}-control`), entry)
    expect(warnings.filter((w) => /eval|Critical dependency|require/i.test(w)).length).toBeGreaterThan(0)
  })
})
