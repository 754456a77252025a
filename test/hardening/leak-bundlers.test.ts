import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { compileWebpackLike } from '@kms-secrets/testkit/build'
import { newCanary, textHasCanary } from '@kms-secrets/testkit/leak'
import { startTestKms, type TestKms } from '@kms-secrets/testkit/local-kms'
import * as esbuild from 'esbuild'
import * as rollup from 'rollup'
import kmsEsbuild from 'unplugin-kms-secrets/esbuild'
import kmsRollup from 'unplugin-kms-secrets/rollup'
import kmsRspack from 'unplugin-kms-secrets/rspack'
import kmsVite from 'unplugin-kms-secrets/vite'
import kmsWebpack from 'unplugin-kms-secrets/webpack'
import * as vite from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFigures } from './support/figures.js'
import { type Identity, keyIdFor, newIdentity, oneKeySeed, providerFor } from './support/kms.js'
import { makeWorkDir } from './support/work.js'

const figures = createFigures('leak-bundlers')
const keyId = keyIdFor('bundlers')
const build = newIdentity('Build')
const work = makeWorkDir('bundlers')
const root = join(work.dir, 'app')
const canaries = [newCanary('J'), newCanary('Y'), newCanary('T'), newCanary('E')]
let kms: TestKms

beforeAll(async () => {
  kms = await startTestKms({ seed: oneKeySeed(keyId, 'hard-bundlers', [build, ['GenerateDataKey']]) })
  mkdirSync(join(root, 'config'), { recursive: true })
  writeFileSync(join(root, 'config', 'db.secret.json'), JSON.stringify({ user: 'app', password: canaries[0] }))
  writeFileSync(join(root, 'config', 'api.secret.yaml'), `token: ${canaries[1]}\nnested:\n  key: ${canaries[3]}\n`)
  writeFileSync(join(root, 'config', 'tls.secret.pem'), `-----BEGIN KEY-----\n${canaries[2]}\n-----END KEY-----\n`)
  writeFileSync(
    join(root, 'server.js'),
    "import db from './config/db.secret.json'\nimport api from './config/api.secret.yaml'\nimport tls from './config/tls.secret.pem'\n" +
      'console.log(Object.keys(db).length, Object.keys(api).length, tls.length)\n',
  )
})
afterAll(async () => {
  figures.write()
  await kms.dispose()
  work.remove()
})

/** Plaintext files on disk, sealed by the plugin during the build (the mode where the plugin holds plaintext). */
const plugin = (who: Identity = build) => ({ keyId, provider: providerFor(kms.endpoint, who), dts: false })

/** Scans `text` for every canary in every encoding; records how much was scanned. */
function expectClean(where: string, text: string): void {
  expect(textHasCanary(text, canaries), `plaintext in ${where}`).toEqual([])
  figures.count('bytesScanned', where.split(':')[0]!, text.length)
}

function readTree(dir: string): string[] {
  const out: string[] = []
  if (!existsSync(dir)) return out
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...readTree(p))
    else out.push(readFileSync(p, 'latin1'))
  }
  return out
}

const isBare = (id: string) => !id.startsWith('.') && !isAbsolute(id) && !id.startsWith('\0')

/** `info.ast` as JSON where the bundler offers it (rolldown throws UNSUPPORTED). */
function astOf(info: { ast?: unknown } | null | undefined): string {
  try {
    return JSON.stringify(info?.ast ?? null)
  } catch {
    return 'null'
  }
}

/** Another plugin that sees everything a plugin can see about every module, and dumps it into emitted assets. */
function snoop(seen: string[]): rollup.Plugin {
  return {
    name: 'hardening-snoop',
    transform(code) {
      seen.push(code)
      return null
    },
    moduleParsed(info) {
      seen.push(info.code ?? '', astOf(info), JSON.stringify(info.meta))
    },
    async buildEnd() {
      for (const id of this.getModuleIds()) {
        if (/\.secret\./.test(id)) seen.push((await this.load({ id })).code ?? '')
      }
    },
    renderChunk(code) {
      seen.push(code)
      return null
    },
    generateBundle(_options, bundle) {
      let i = 0
      for (const id of this.getModuleIds()) {
        const info = this.getModuleInfo(id)
        this.emitFile({
          type: 'asset',
          fileName: `snoop/${i++}.txt`,
          source: `${id}\n${info?.code}\n${JSON.stringify(info?.meta)}\n${astOf(info)}`,
        })
      }
      for (const out of Object.values(bundle)) if (out.type === 'chunk') seen.push(JSON.stringify(out.modules))
    },
  }
}

describe('what other tools and plugins see during a build that seals plaintext files', () => {
  it('control: the detector finds each planted value in the source files and in its encoded forms', () => {
    const sources = ['db.secret.json', 'api.secret.yaml', 'tls.secret.pem'].map((f) =>
      readFileSync(join(root, 'config', f), 'utf8'),
    )
    expect([...new Set(textHasCanary(sources.join('\n'), canaries).map((h) => h.canary))].sort()).toEqual([0, 1, 2, 3])
    for (const encoded of [Buffer.from(sources[0]!).toString('base64'), Buffer.from(sources[1]!).toString('hex')]) {
      expect(textHasCanary(encoded, canaries).length).toBeGreaterThan(0)
    }
  })

  it('rollup: transform/moduleParsed/load/renderChunk/generateBundle of another plugin, its assets, logs, outputs', async () => {
    const seen: string[] = []
    const logs: string[] = []
    const outDir = join(work.dir, 'rollup-out')
    const bundle = await rollup.rollup({
      input: join(root, 'server.js'),
      external: isBare,
      plugins: [kmsRollup(plugin()), snoop(seen)],
      onLog: (level, log) => void logs.push(`${level} ${JSON.stringify(log)}`),
    })
    await bundle.write({ dir: outDir, format: 'es', sourcemap: true })
    await bundle.close()
    const secretModules = seen.filter((s) => /"kmsSecrets":\d/.test(s))
    expect(secretModules.length).toBeGreaterThanOrEqual(3)
    for (const [i, text] of [...seen, ...logs].entries()) expectClean(`rollup:seen#${i}`, text)
    for (const text of readTree(outDir)) expectClean('rollup:output', text)
    figures.set('rollupSnoopedTexts', seen.length)
  })

  it('vite (SSR build): the same snooping plugin, the build log, the manifests and every output file', async () => {
    const seen: string[] = []
    const logs: string[] = []
    const outDir = join(work.dir, 'vite-out')
    const logger = vite.createLogger('info')
    const capture = (msg: string) => void logs.push(msg)
    await vite.build({
      root,
      configFile: false,
      logLevel: 'info',
      customLogger: { ...logger, info: capture, warn: capture, warnOnce: capture, error: capture },
      cacheDir: join(work.dir, 'vite-cache'),
      plugins: [kmsVite(plugin()), snoop(seen) as vite.Plugin],
      build: { ssr: 'server.js', outDir, manifest: true, ssrManifest: true, sourcemap: true, minify: false },
    })
    expect(seen.some((s) => /"kmsSecrets":\d/.test(s))).toBe(true)
    for (const [i, text] of [...seen, ...logs].entries()) expectClean(`vite:seen#${i}`, text)
    for (const text of [...readTree(outDir), ...readTree(join(work.dir, 'vite-cache'))])
      expectClean('vite:output', text)
    figures.set('viteSnoopedTexts', seen.length)
  })

  it('esbuild: metafile, analyzeMetafile (verbose), in-memory output files, warnings', async () => {
    const result = await esbuild.build({
      entryPoints: [join(root, 'server.js')],
      absWorkingDir: root,
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: join(work.dir, 'esbuild-out', 'server.mjs'),
      packages: 'external',
      sourcemap: 'linked',
      metafile: true,
      write: false,
      logLevel: 'silent',
      plugins: [kmsEsbuild(plugin())],
    })
    const texts = [
      JSON.stringify(result.metafile),
      await esbuild.analyzeMetafile(result.metafile, { verbose: true }),
      JSON.stringify(result.warnings),
      ...result.outputFiles.map((f) => f.text),
    ]
    expect(texts[0]).toContain('db.secret.json')
    for (const text of texts) expectClean('esbuild:metafile+outputs', text)
  })
})

interface StatsLike {
  hasErrors(): boolean
  toJson(o?: unknown): unknown
  toString(o?: unknown): string
}

function webpackConfig(kind: 'webpack' | 'rspack', outDir: string): Record<string, unknown> {
  return {
    mode: 'production',
    context: root,
    entry: join(root, 'server.js'),
    target: 'node20',
    output: { path: outDir, filename: 'server.mjs', module: true, chunkFormat: 'module', library: { type: 'module' } },
    ...(kind === 'webpack' ? { experiments: { outputModule: true } } : {}),
    externalsType: 'module',
    externals: ['tencentcloud-sdk-nodejs-common'],
    devtool: 'source-map',
    optimization: { minimize: false },
    infrastructureLogging: { level: 'none' },
    plugins: [kind === 'webpack' ? kmsWebpack(plugin()) : kmsRspack(plugin())],
  }
}

describe('webpack and rspack stats with every option', () => {
  for (const kind of ['webpack', 'rspack'] as const) {
    it(`${kind}: stats.toJson({ all: true }), the verbose preset, toString, and the emitted files`, async () => {
      const outDir = join(work.dir, `${kind}-out`)
      const config = webpackConfig(kind, outDir)
      // StatsLike: these checks also call toJson with a preset name ('verbose').
      const stats = (await compileWebpackLike(kind, config)) as unknown as StatsLike
      expect(stats.hasErrors()).toBe(false)
      const texts = [
        JSON.stringify(stats.toJson({ all: true, source: true, logging: 'verbose', loggingDebug: true })),
        JSON.stringify(stats.toJson('verbose')),
        stats.toString({ all: true, colors: false }),
      ]
      expect(texts[0]).toContain('kmsSecrets')
      for (const text of texts) expectClean(`${kind}:stats`, text)
      for (const text of readTree(outDir)) expectClean(`${kind}:output`, text)
    })
  }
})
