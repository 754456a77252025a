import { cpSync, existsSync, linkSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { rspack } from '@rspack/core'
import type { Plugin as EsbuildPlugin } from 'esbuild'
import { rolldown } from 'rolldown'
import { type Plugin as RollupPlugin, rollup } from 'rollup'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import webpack from 'webpack'
import kmsEsbuild from '../src/esbuild'
import kmsRolldown from '../src/rolldown'
import kmsRollup from '../src/rollup'
import kmsRspack from '../src/rspack'
import kmsWebpack from '../src/webpack'
import { type App, canaries, createApp, outputFiles } from './helpers/app'
import { esbuildApp, runCompiler, webpackAppConfig } from './helpers/builds'
import { fixturesDir } from './helpers/project'

/** Walks of the project for secret files (the copy check's list; hard-link lookups walk too, none happen here). */
const walks = vi.hoisted(() => ({ count: 0 }))
vi.mock('../src/core/secret-index', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../src/core/secret-index')>()
  return {
    ...mod,
    walkProject(...args: Parameters<typeof mod.walkProject>) {
      walks.count++
      return mod.walkProject(...args)
    },
  }
})
beforeEach(() => {
  walks.count = 0
})

/**
 * One rule for copies of a secret file on every bundler: a copy of a plaintext secret file fails the build with
 * ERR_PLUGIN_LEAK and is not left in the output; a copy of a sealed file (ciphertext, committed by design) passes.
 */
const external = ['@kms-secrets/runtime']
const plaintext = 'src/config/db.secret.json'
const sealed = 'src/config/sealed.secret.json'

function appWithSealed(): App {
  const app = createApp()
  cpSync(join(fixturesDir, 'sealed.secret.json'), join(app.root, sealed))
  return app
}

/** The build failed with ERR_PLUGIN_LEAK naming `file`, and no output file holds a plaintext canary. */
async function expectCopyRefused(app: App, run: Promise<unknown>, file: string): Promise<void> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, 'the build should have failed').toBeDefined()
  const text = error instanceof Error ? `${error.message}\n${JSON.stringify(error)}` : String(error)
  expect(text).toContain('ERR_PLUGIN_LEAK')
  expect(text).toContain(file)
  for (const c of canaries) expect(text).not.toContain(c)
  if (!existsSync(app.out)) return
  for (const f of outputFiles(app.out)) for (const c of canaries) expect(f.text, f.name).not.toContain(c)
}

/** The build passed and wrote the copy with the sealed file's exact bytes. */
function expectSealedCopy(app: App, name: string): void {
  expect(readFileSync(join(app.out, name), 'utf8')).toBe(readFileSync(join(app.root, sealed), 'utf8'))
}

/**
 * The sealed file with a first `"data"` holding a plaintext canary before the real envelope: JSON.parse keeps the
 * last value (a valid envelope), while the file's bytes carry the plaintext (core refuses the repeated key).
 */
function repeatDataKey(app: App): void {
  const text = readFileSync(join(app.root, sealed), 'utf8')
  writeFileSync(join(app.root, sealed), `{"data":"${canaries[0]}",${text.trimStart().slice(1)}`)
}

/** A rollup/rolldown plugin that copies a file into the output the way copy plugins do (`originalFileName` set). */
function copyAsset(app: App, file: string, fileName = 'copied.json'): RollupPlugin {
  return {
    name: 'test-copy',
    buildStart() {
      const originalFileName = join(app.root, file)
      this.emitFile({ type: 'asset', fileName, originalFileName, source: readFileSync(originalFileName) })
    },
  }
}

/** Our plugin for `app`, and a build of src/server.js with it (written once per output dir, all ESM). */
const rollupLike = {
  rollup: {
    kms: (app: App) => kmsRollup(app.plugin) as RollupPlugin,
    // One build, one generateBundle per output.
    buildsPerWrite: false,
    build: async (app: App, plugins: RollupPlugin[], dirs = ['es']) => {
      const bundle = await rollup({ input: join(app.root, 'src/server.js'), external, plugins })
      try {
        for (const dir of dirs) await bundle.write({ dir: join(app.out, dir), format: 'es' })
      } finally {
        await bundle.close()
      }
    },
  },
  rolldown: {
    kms: (app: App) => kmsRolldown(app.plugin) as RollupPlugin,
    // rolldown builds again for every write (buildStart each time).
    buildsPerWrite: true,
    build: async (app: App, plugins: RollupPlugin[], dirs = ['es']) => {
      const bundle = await rolldown({ input: join(app.root, 'src/server.js'), external, plugins: plugins as never })
      try {
        for (const dir of dirs) await bundle.write({ dir: join(app.out, dir), format: 'es' })
      } finally {
        await bundle.close()
      }
    },
  },
}

describe.each(Object.entries(rollupLike))('%s: an asset copied from a secret file (originalFileNames)', (_, family) => {
  const build = (app: App, copy: RollupPlugin, dirs?: string[]) => family.build(app, [family.kms(app), copy], dirs)

  it('a sealed copy passes, byte for byte', async () => {
    const app = appWithSealed()
    await build(app, copyAsset(app, sealed))
    expectSealedCopy(app, 'es/copied.json')
  })

  it('a plaintext copy fails the build (ERR_PLUGIN_LEAK) and is not written', async () => {
    const app = appWithSealed()
    await expectCopyRefused(app, build(app, copyAsset(app, plaintext)), plaintext)
    expect(existsSync(join(app.out, 'es/copied.json'))).toBe(false)
  })

  it('with leakCheck off too, and under another name of the file (a hard link)', async () => {
    const app = appWithSealed()
    app.plugin = { ...app.plugin, leakCheck: false }
    linkSync(join(app.root, plaintext), join(app.root, 'src/settings.json'))
    await expectCopyRefused(app, build(app, copyAsset(app, 'src/settings.json')), plaintext)
  })

  it('a copy that only carries the envelope marker (and a value) is no sealed copy', async () => {
    const app = appWithSealed()
    const fake = JSON.parse(readFileSync(join(app.root, sealed), 'utf8'))
    writeFileSync(join(app.root, sealed), JSON.stringify({ ...fake, password: canaries[0] }))
    await expectCopyRefused(app, build(app, copyAsset(app, sealed)), sealed)
  })

  it('a copy whose envelope repeats a key (plaintext in the first "data") is no sealed copy', async () => {
    const app = appWithSealed()
    repeatDataKey(app)
    await expectCopyRefused(app, build(app, copyAsset(app, sealed)), sealed)
    expect(existsSync(join(app.out, 'es/copied.json'))).toBe(false)
  })

  it('importing an envelope that repeats a key fails the load (ERR_ENVELOPE_PARSE), no plaintext in the error or output', async () => {
    const app = appWithSealed()
    repeatDataKey(app)
    writeFileSync(join(app.root, 'src/server.js'), "import s from './config/sealed.secret.json'\nexport const n = s\n")
    const error = await family.build(app, [family.kms(app)]).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error, 'the build should have failed').toBeDefined()
    const text = error instanceof Error ? `${error.message}\n${JSON.stringify(error)}` : String(error)
    expect(text).toContain('ERR_ENVELOPE_PARSE')
    expect(text).toContain('sealed.secret.json')
    expect(text).toContain('"data"')
    for (const c of canaries) expect(text).not.toContain(c)
    if (existsSync(app.out)) for (const f of outputFiles(app.out)) expect(f.text).not.toContain(canaries[0])
  })

  it('one walk of the project per build, whatever the outputs; the next build (watch) reads the files afresh', async () => {
    const app = appWithSealed()
    const plugins = [family.kms(app), copyAsset(app, sealed)]
    await family.build(app, plugins, ['es', 'es2'])
    expect(walks.count).toBe(family.buildsPerWrite ? 2 : 1)
    expectSealedCopy(app, 'es2/copied.json')
    // The same plugin instance, a second build: the file turned plaintext in between.
    cpSync(join(app.root, plaintext), join(app.root, sealed))
    await expectCopyRefused(app, family.build(app, plugins, ['es', 'es2']), sealed)
  })
})

/** Emits a copy of `file` the way copy-webpack-plugin does: `info.sourceFilename`, relative to the context. */
function webpackCopy(file: string) {
  return {
    apply(compiler: webpack.Compiler) {
      compiler.hooks.thisCompilation.tap('test-copy', (compilation) => {
        const stage = compiler.webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL
        compilation.hooks.processAssets.tap({ name: 'test-copy', stage }, () => {
          const source = new compiler.webpack.sources.RawSource(readFileSync(join(compiler.context, file)))
          compilation.emitAsset('copied.json', source, { copied: true, sourceFilename: file })
        })
      })
    },
  }
}

/** rspack's own copy plugin. */
const rspackCopy = (file: string) => new rspack.CopyRspackPlugin({ patterns: [{ from: file, to: 'copied.json' }] })

function runWebpackLike(kind: 'webpack' | 'rspack', app: App, copy: unknown): Promise<void> {
  const plugin = kind === 'webpack' ? kmsWebpack(app.plugin) : kmsRspack(app.plugin)
  const config = webpackAppConfig(app, [plugin, copy], { infrastructureLogging: { level: 'none' } })
  return runCompiler((kind === 'webpack' ? webpack(config as never) : rspack(config as never)) as never)
}

describe.each([
  ['webpack', webpackCopy],
  ['rspack', rspackCopy],
] as const)('%s: an asset copied from a secret file (info.sourceFilename)', (kind, copy) => {
  it('a sealed copy passes, byte for byte', async () => {
    const app = appWithSealed()
    await runWebpackLike(kind, app, copy(sealed))
    expectSealedCopy(app, 'copied.json')
  })

  it('a plaintext copy fails the compilation (ERR_PLUGIN_LEAK) and is not emitted', async () => {
    const app = appWithSealed()
    await expectCopyRefused(app, runWebpackLike(kind, app, copy(plaintext)), plaintext)
    expect(existsSync(join(app.out, 'copied.json'))).toBe(false)
  })

  it('with leakCheck off too', async () => {
    const app = appWithSealed()
    app.plugin = { ...app.plugin, leakCheck: false }
    // rspack's copy plugin records the source relative to the pattern's directory, copy-webpack-plugin to the context.
    const named = kind === 'rspack' ? 'db.secret.json' : plaintext
    await expectCopyRefused(app, runWebpackLike(kind, app, copy(plaintext)), named)
    expect(existsSync(join(app.out, 'copied.json'))).toBe(false)
  })
})

/** A plugin listed before ours that has esbuild copy every secret file it imports (`loader: 'copy'`). */
const esbuildCopy: EsbuildPlugin = {
  name: 'test-copy',
  setup(build) {
    build.onLoad({ filter: /\.secret\.json$/ }, (args) => ({ contents: readFileSync(args.path), loader: 'copy' }))
  },
}

describe('esbuild: a secret file copied into the output (no origin recorded: the whole-file search)', () => {
  /** An entry importing `file`, our plugin after the copying one. */
  const options = (app: App, file: string) => {
    writeFileSync(join(app.root, 'src/copy.js'), `import u from './${relative('src', file)}'\nconsole.log(u)\n`)
    return { entryPoints: ['src/copy.js'], plugins: [esbuildCopy, kmsEsbuild(app.plugin)] }
  }
  const jsonOutputs = (app: App) => outputFiles(app.out).filter((f) => f.name.endsWith('.json'))

  it('a sealed copy passes, byte for byte', async () => {
    const app = appWithSealed()
    await esbuildApp(app, options(app, sealed))
    expect(jsonOutputs(app).map((f) => f.text)).toEqual([readFileSync(join(app.root, sealed), 'utf8')])
  })

  it('a plaintext copy fails the build (ERR_PLUGIN_LEAK) and is removed', async () => {
    const app = appWithSealed()
    await expectCopyRefused(app, esbuildApp(app, options(app, plaintext)), plaintext)
    expect(jsonOutputs(app)).toEqual([])
  })

  it('a copy of a file that only looks sealed (a key repeated, plaintext first) fails the build and is removed', async () => {
    const app = appWithSealed()
    repeatDataKey(app)
    await expectCopyRefused(app, esbuildApp(app, options(app, sealed)), sealed)
    expect(jsonOutputs(app)).toEqual([])
  })
})
