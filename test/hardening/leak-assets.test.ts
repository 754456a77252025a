import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join } from 'node:path'
import { compileWebpackLike } from '@kms-secrets/testkit/build'
import { dataUrlPayloads, newCanary, scanForCanaries, textHasCanary } from '@kms-secrets/testkit/leak'
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
import { buildFailure, errorCodesIn, errorText } from '../utils/errors.js'
import { keyIdFor, newIdentity, oneKeySeed, providerFor } from './support/kms.js'
import { makeWorkDir } from './support/work.js'

/**
 * Every way a bundler turns a file into an asset — emitted, inlined as a data: URL, read as a raw string — reads the
 * file itself, past the plugin's load hook. A secret file on such a path must fail the build with a typed error, and
 * no written file may carry its plaintext in any encoding (data: URLs decoded).
 */
const keyId = keyIdFor('assets')
const build = newIdentity('Build')
const work = makeWorkDir('assets')
const root = join(work.dir, 'app')
const canary = newCanary('A')
let kms: TestKms

beforeAll(async () => {
  kms = await startTestKms({ seed: oneKeySeed(keyId, 'hard-assets', [build, ['GenerateDataKey']]) })
  mkdirSync(join(root, 'config'), { recursive: true })
  mkdirSync(join(root, 'src'), { recursive: true })
  // Far below vite's assetsInlineLimit (4 kB) and webpack's asset/inline: inlined as a data: URL.
  writeFileSync(join(root, 'config', 'x.secret.json'), `${JSON.stringify({ token: canary })}\n`)
})
afterAll(async () => {
  await kms.dispose()
  work.remove()
})

const plugin = () => ({ keyId, provider: providerFor(kms.endpoint, build), dts: false })

function entry(name: string, code: string): string {
  const file = join(root, 'src', name)
  writeFileSync(file, code)
  return file
}

/** The build failed with `code` and left no plaintext in its output dir or error text. */
async function expectRefused(run: () => Promise<unknown>, outDir: string, code: string): Promise<void> {
  const error = await buildFailure(run())
  expect(errorCodesIn(error)).toContain(code)
  expect(errorText(error)).toMatch(/x\.secret\.json/)
  expect(textHasCanary(errorText(error), [canary])).toEqual([])
  expect(scanForCanaries([outDir], [canary]).hits).toEqual([])
}

function viteBuild(input: string, outDir: string, ssr: boolean, extra: vite.Plugin[] = []) {
  return vite.build({
    root,
    configFile: false,
    logLevel: 'silent',
    cacheDir: join(work.dir, 'vite-cache'),
    plugins: [kmsVite(plugin()), ...extra],
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      ssr: ssr ? input : false,
      rolldownOptions: ssr ? {} : { input },
    },
  })
}

describe('vite: asset paths of a secret file fail the build (client and SSR)', () => {
  const cases: [string, string, string][] = [
    ['new URL(…, import.meta.url)', 'new-url.js', "fetch(new URL('../config/x.secret.json', import.meta.url))\n"],
    [
      'import.meta.glob ?raw',
      'glob-raw.js',
      "console.log(import.meta.glob('../config/*.secret.json', { query: '?raw', eager: true }))\n",
    ],
    [
      'import.meta.glob ?url',
      'glob-url.js',
      "console.log(import.meta.glob('../config/*.secret.json', { query: '?url' }))\n",
    ],
    ['?inline', 'inline.js', "import u from '../config/x.secret.json?inline'\nconsole.log(u)\n"],
    ['?no-inline', 'no-inline.js', "import u from '../config/x.secret.json?no-inline'\nconsole.log(u)\n"],
    ['?worker&url', 'worker.js', "import u from '../config/x.secret.json?worker&url'\nconsole.log(u)\n"],
    ['new Worker(new URL(…))', 'new-worker.js', "new Worker(new URL('../config/x.secret.json', import.meta.url))\n"],
  ]
  for (const ssr of [false, true]) {
    for (const [what, name, code] of cases) {
      it(`${ssr ? 'SSR' : 'client'}: ${what}`, async () => {
        const input = entry(name, code)
        const outDir = join(work.dir, `vite-${ssr ? 'ssr' : 'client'}-${name}`)
        await expectRefused(() => viteBuild(input, outDir, ssr), outDir, 'ERR_PLUGIN_RAW_IMPORT')
      })
    }
  }

  it('client: CSS url() of a secret file', async () => {
    writeFileSync(join(root, 'src', 'style.css'), 'body { background: url(../config/x.secret.json) }\n')
    const input = entry('css.js', "import './style.css'\n")
    const outDir = join(work.dir, 'vite-client-css')
    await expectRefused(() => viteBuild(input, outDir, false), outDir, 'ERR_PLUGIN_RAW_IMPORT')
  })

  it('client: a plugin that inlines the file as a data: URL past the source guard is caught by the leak check', async () => {
    const inliner: vite.Plugin = {
      name: 'test-inliner',
      enforce: 'pre',
      resolveId: (id) => (id === 'virtual:inlined' ? '\0inlined' : null),
      load(id) {
        if (id !== '\0inlined') return null
        const b64 = readFileSync(join(root, 'config', 'x.secret.json')).toString('base64')
        return `export default ${JSON.stringify(`data:application/json;base64,${b64}`)}`
      },
    }
    const input = entry('inliner.js', "import u from 'virtual:inlined'\nfetch(u)\n")
    const outDir = join(work.dir, 'vite-client-inliner')
    await expectRefused(() => viteBuild(input, outDir, false, [inliner]), outDir, 'ERR_PLUGIN_LEAK')
  })
})

describe('rollup: an @rollup/plugin-url-like plugin listed before ours inlines the file', () => {
  // Secret imports resolve to a virtual id (`\0kms-secret:…`), so a plugin that only loads `.secret.json` ids no
  // longer sees the file; one that also claims the import in its own resolveId, listed first, still can.
  it('the leak check decodes the data: URL and fails the build', async () => {
    const urlPlugin: rollup.Plugin = {
      name: 'test-url',
      resolveId(source, importer) {
        if (!source.endsWith('.secret.json') || importer === undefined) return null
        return `\0test-url:${join(dirname(importer), source)}`
      },
      load(id) {
        if (!id.startsWith('\0test-url:')) return null
        const b64 = readFileSync(id.slice('\0test-url:'.length)).toString('base64')
        return `export default ${JSON.stringify(`data:application/json;base64,${b64}`)}`
      },
    }
    const input = entry('rollup-url.js', "import u from '../config/x.secret.json'\nfetch(u)\n")
    const outDir = join(work.dir, 'rollup-url')
    const run = async () => {
      const bundle = await rollup.rollup({
        input,
        external: (id) => !id.startsWith('.') && !isAbsolute(id) && !id.startsWith('\0'),
        plugins: [urlPlugin, kmsRollup(plugin())],
      })
      await bundle.write({ dir: outDir, format: 'es' })
    }
    await expectRefused(run, outDir, 'ERR_PLUGIN_LEAK')
  })
})

/** Runs a webpack or rspack compiler once; rejects with the compilation's errors (webpack reports them in stats). */
async function runWebpackLike(kind: 'webpack' | 'rspack', config: Record<string, unknown>): Promise<void> {
  const stats = await compileWebpackLike(kind, config)
  if (stats?.hasErrors()) throw new Error(stats.toString({ all: false, errors: true }))
}

const webpackLikeConfig = (kind: 'webpack' | 'rspack', input: string, outDir: string, extra = {}) => ({
  mode: 'production',
  context: root,
  entry: input,
  target: 'node20',
  output: { path: outDir },
  optimization: { minimize: false },
  infrastructureLogging: { level: 'none' },
  plugins: [kind === 'webpack' ? kmsWebpack(plugin()) : kmsRspack(plugin())],
  ...extra,
})

describe("webpack: new URL('./x.secret.json', import.meta.url) as an asset module", () => {
  for (const type of ['asset/inline', 'asset/resource', 'asset/source']) {
    it(`${type} fails the build`, async () => {
      const input = entry(
        `wp-${type.replace('/', '-')}.js`,
        "fetch(new URL('../config/x.secret.json', import.meta.url))\n",
      )
      const outDir = join(work.dir, `webpack-${type.replace('/', '-')}`)
      const rules = [{ test: /\.json$/, dependency: 'url', type }]
      const config = webpackLikeConfig('webpack', input, outDir, { module: { rules } })
      await expectRefused(() => runWebpackLike('webpack', config), outDir, 'ERR_PLUGIN_RAW_IMPORT')
    })
  }
})

describe('webpack and rspack: a plaintext value copied into the output', () => {
  for (const kind of ['webpack', 'rspack'] as const) {
    it(`${kind}: the leak check fails the compilation and the leaking asset is not emitted`, async () => {
      const code = `import x from '../config/x.secret.json'\nexport const oops = ['${canary}', x]\n`
      const input = entry(`${kind}-copy.js`, code)
      const outDir = join(work.dir, `${kind}-copy`)
      await expectRefused(() => runWebpackLike(kind, webpackLikeConfig(kind, input, outDir)), outDir, 'ERR_PLUGIN_LEAK')
      expect(existsSync(join(outDir, 'main.js'))).toBe(false)
    })
  }
})

/** An esbuild ESM node bundle of `input` with our plugin last; `extra` is spread over the options. */
function esbuildRun(input: string, outdir: string, extra: esbuild.BuildOptions = {}) {
  return esbuild.build({
    entryPoints: [input],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    outdir,
    packages: 'external',
    logLevel: 'silent',
    ...extra,
    plugins: [...(extra.plugins ?? []), kmsEsbuild(plugin())],
  })
}

describe("esbuild: loader: { '.json': 'dataurl' } and friends", () => {
  for (const loader of ['dataurl', 'base64', 'binary', 'text', 'file'] as const) {
    it(`${loader}: the plugin's onLoad claims the secret file, so no plaintext reaches the output`, async () => {
      const input = entry('esb.js', "import u from '../config/x.secret.json'\nconsole.log(u)\n")
      const outdir = join(work.dir, `esbuild-${loader}`)
      await esbuildRun(input, outdir, { loader: { '.json': loader } })
      expect(scanForCanaries([outdir], [canary]).hits).toEqual([])
    })
  }
  // write: false keeps the output in memory (outputFiles): the leak check reads it there.
  for (const write of [true, false]) {
    it(`a plugin before ours that inlines the file as a data: URL is caught by the leak check (write: ${write})`, async () => {
      const input = entry('esb-bypass.js', "import u from '../config/x.secret.json'\nconsole.log(u)\n")
      const outdir = join(work.dir, `esbuild-bypass-${write}`)
      const bypass: esbuild.Plugin = {
        name: 'test-dataurl',
        setup(b) {
          b.onLoad({ filter: /\.secret\.json$/ }, (args) => ({ contents: readFileSync(args.path), loader: 'dataurl' }))
        },
      }
      await expectRefused(() => esbuildRun(input, outdir, { write, plugins: [bypass] }), outdir, 'ERR_PLUGIN_LEAK')
    })
  }
})

describe('the test scanner itself', () => {
  it('finds a value only visible inside a decoded data: URL', () => {
    const b64 = Buffer.from(`{"x":"data:text/plain;base64,${Buffer.from(canary).toString('base64')}"}`)
    const text = Buffer.from(`"data:application/json;base64,${b64.toString('base64')}"`)
    expect(dataUrlPayloads(text).some((p) => p.includes(canary))).toBe(true)
  })
})
