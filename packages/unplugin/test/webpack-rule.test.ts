import { linkSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { rspack } from '@rspack/core'
import { describe, expect, it } from 'vitest'
import webpack from 'webpack'
import type { Options } from '../src/core/options'
import kmsRspack from '../src/rspack'
import kmsWebpack from '../src/webpack'
import { type App, canaries, createApp, expectNoPlaintext } from './helpers/app'
import { runCompiler, webpackAppConfig } from './helpers/builds'

// The plugin's own webpack/rspack rule and loader (src/core/bundlers/webpack-loader.ts) instead of unplugin's load
// bridge: secret files picked by native RegExps where the options allow, the bytes the bundler read used as the file.
const bundlers = { webpack: [webpack, kmsWebpack], rspack: [rspack, kmsRspack] } as const
type Kind = keyof typeof bundlers

interface Rule {
  oneOf?: Rule[]
  test?: unknown
  include?: unknown
  exclude?: unknown
  use?: { loader: string }[]
}

/** A compiler for the test app (CommonJS, runtime external), its plugin options and extra rules/hooks. */
function compilerFor(kind: Kind, app: App, plugin: Partial<Options> = {}, rules: object[] = [], extra: object = {}) {
  const [factory, kms] = bundlers[kind]
  const plugins = [(kms as (o: object) => unknown)({ ...app.plugin, ...plugin })]
  return (factory as unknown as (c: object) => unknown)(
    webpackAppConfig(app, plugins, { ...extra, module: { rules } }),
  ) as {
    options: { module: { rules: Rule[] } }
    inputFileSystem: Record<string, unknown>
    run(cb: (err: Error | null, stats?: { hasErrors(): boolean; toString(o: object): string }) => void): void
    close(cb: () => void): void
  }
}

const run = (compiler: ReturnType<typeof compilerFor>): Promise<void> => runCompiler(compiler)

/** An envelope literal of a generated module in the output. */
const sealed = /\{"kmsSecrets":\d/

const isNative = (c: unknown): boolean => (Array.isArray(c) ? c.every(isNative) : c instanceof RegExp)

describe.each(Object.keys(bundlers) as Kind[])('%s: the plugin’s module rule', (kind) => {
  it('default include: secret files picked by native RegExps; other names of a secret file by the JS check', () => {
    const app = createApp()
    const [rule] = compilerFor(kind, app).options.module.rules
    const [matched, claimed] = rule?.oneOf ?? []
    expect(isNative(matched?.test) && isNative(matched?.include)).toBe(true)
    expect(matched?.exclude).toBeUndefined()
    expect(matched?.use?.[0]?.loader).toMatch(/webpack-loader\.m?[jt]s$/)
    expect(isNative(claimed?.test)).toBe(true)
    expect(typeof claimed?.include).toBe('function')
  })

  it('RegExp include and exclude stay native', () => {
    const app = createApp()
    const plugin = { include: [/\.secret\.json$/, /\.secret\.txt$/], exclude: /fixtures/ }
    const [matched] = compilerFor(kind, app, plugin).options.module.rules[0]?.oneOf ?? []
    expect(matched?.include).toEqual(plugin.include)
    expect(matched?.exclude).toEqual([plugin.exclude])
  })

  it.each([
    ['a glob', { include: ['**/*.secret.json', '**/*.secret.txt'] }],
    ['a glob exclude', { exclude: ['**/never/**'] }],
    ['a stateful RegExp', { include: [/\.secret\.(json|txt)$/g] }],
  ])('%s: one rule whose include is the JS check, and the build seals as before', async (_name, plugin) => {
    const app = createApp()
    const compiler = compilerFor(kind, app, plugin)
    const [rule] = compiler.options.module.rules
    expect(rule?.oneOf).toBeUndefined()
    expect(typeof rule?.include).toBe('function')
    await run(compiler)
    expect(expectNoPlaintext(app.out)).toMatch(sealed)
    expect(app.kms.count('GenerateDataKey')).toBe(1)
  })

  it('a hard link to a secret file under another name is sealed (the JS branch), never inlined as JSON', async () => {
    const app = createApp({
      'src/db.js': "import db from './config/copy.json'\nexport { db }\n",
    })
    linkSync(join(app.root, 'src/config/db.secret.json'), join(app.root, 'src/config/copy.json'))
    await run(compilerFor(kind, app))
    expect(expectNoPlaintext(app.out)).toMatch(sealed)
  })
})

describe('webpack: the loader uses the bytes webpack read', () => {
  it('no second read of the file: what the input file system gave is what is sealed', async () => {
    const app = createApp()
    const file = join(app.root, 'src/config/db.secret.json')
    const real = readFileSync(file, 'utf8')
    // On disk the file is no JSON; webpack's input file system serves the real text. Read again, it would fail.
    writeFileSync(file, 'not json')
    const compiler = compilerFor('webpack', app)
    const fs = compiler.inputFileSystem as { readFile: (p: string, ...rest: unknown[]) => void }
    const readFile = fs.readFile.bind(fs)
    compiler.inputFileSystem = Object.assign(Object.create(fs), {
      readFile: (p: string, ...rest: unknown[]) => {
        const cb = rest.at(-1) as (e: Error | null, d?: Buffer) => void
        if (p === file) return cb(null, Buffer.from(real))
        return readFile(p, ...rest)
      },
    })
    await run(compiler)
    expect(expectNoPlaintext(app.out)).toMatch(sealed)
  })

  it('another loader ran first (its output is not the file): the file is read', async () => {
    const app = createApp()
    const garble = join(app.root, 'garble-loader.cjs')
    writeFileSync(garble, "module.exports = function (source) { return source + '\\n(not json)' }\n")
    const rules = [{ test: /\.secret\.json$/, enforce: 'pre', use: [{ loader: garble }] }]
    await run(compilerFor('webpack', app, {}, rules))
    expect(expectNoPlaintext(app.out)).toMatch(sealed)
  })
})

/** Every file under dir (none when it does not exist). */
function filesUnder(dir: string): string[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  return names.flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]))
}

/** A raw-loader: the bytes it gets as a JS string. */
const rawLoader = "module.exports = (s) => 'module.exports = ' + JSON.stringify(String(s))\n"

describe.each(Object.keys(bundlers) as Kind[])('%s: a request that leaves out the plugin’s loader', (kind) => {
  // `!!` and `-!` turn off the configured pre loaders (the plugin's rule), a match resource (`x.js!=!`) applies the
  // rules of another name: the file's plaintext would reach another loader or the JS parser, and webpack's
  // persistent cache, before any check of the output. Refused when the request is resolved.
  it.each([
    ['!!', '!!../raw.cjs!./config/db.secret.json'],
    ['-!', '-!../raw.cjs!./config/db.secret.json'],
    ['!=! with a loader', './x.js!=!../raw.cjs!./config/db.secret.json'],
    ['!=! alone', './x.js!=!./config/db.secret.json'],
  ])('%s: ERR_PLUGIN_RAW_IMPORT, no plaintext in the output or the cache', async (_name, request) => {
    const app = createApp({ 'src/db.js': `import db from '${request}'\nexport { db }\n` })
    writeFileSync(join(app.root, 'raw.cjs'), rawLoader)
    const cacheDirectory = join(app.root, '.cache')
    const cache = kind === 'webpack' ? { cache: { type: 'filesystem', cacheDirectory } } : {}
    const error = await run(compilerFor(kind, app, {}, [], cache)).catch((e: unknown) => e)
    expect(String(error)).toContain('[ERR_PLUGIN_RAW_IMPORT] src/config/db.secret.json is imported with an inline')
    for (const c of canaries) expect(String(error)).not.toContain(c)
    for (const file of [...filesUnder(app.out), ...filesUnder(cacheDirectory)]) {
      const bytes = readFileSync(file).toString('latin1')
      for (const c of canaries) expect(bytes, file).not.toContain(c)
    }
  })

  it('the plugin’s loader named without the plugin’s options (inline `!!`): ERR_PLUGIN_OPTIONS, no plaintext', async () => {
    const loader = createRequire(import.meta.url).resolve('unplugin-kms-secrets/webpack-loader')
    const app = createApp({ 'src/db.js': `import db from '!!${loader}!./config/db.secret.json'\nexport { db }\n` })
    const error = await run(compilerFor(kind, app)).catch((e: unknown) => e)
    expect(String(error)).toContain('[ERR_PLUGIN_OPTIONS] unplugin-kms-secrets/webpack-loader runs only')
    for (const c of canaries) expect(String(error)).not.toContain(c)
    for (const f of filesUnder(app.out)) for (const c of canaries) expect(readFileSync(f, 'utf8')).not.toContain(c)
  })

  it('`!` (normal loaders off) keeps the pre rule: the plugin’s loader runs first and the file is sealed', async () => {
    const app = createApp({ 'src/db.js': "import db from '!../raw.cjs!./config/db.secret.json'\nexport { db }\n" })
    writeFileSync(join(app.root, 'raw.cjs'), rawLoader)
    await run(compilerFor(kind, app))
    expect(expectNoPlaintext(app.out)).toContain('kmsSecrets')
  })
})

describe.each(Object.keys(bundlers) as Kind[])('%s: a secret file with `#` in its name', (kind) => {
  // webpack and rspack read `\0#` as a `#` of the file name; the shared load path reads `#` as a fragment and does
  // not claim the id. The loader must fail then, not pass the bytes on (the JS parser's error quoted the file).
  it('ERR_PLUGIN_RAW_IMPORT naming the file, no plaintext in the error or the output', async () => {
    const app = createApp({ 'src/db.js': "import db from './config/db\\0#1.secret.json'\nexport { db }\n" })
    const file = join(app.root, 'src/config/db.secret.json')
    // One line: a parse error's code frame would show the whole of it.
    writeFileSync(join(app.root, 'src/config/db#1.secret.json'), JSON.stringify(JSON.parse(readFileSync(file, 'utf8'))))
    rmSync(file)
    const error = await run(compilerFor(kind, app)).catch((e: unknown) => e)
    expect(String(error)).toContain('[ERR_PLUGIN_RAW_IMPORT] src/config/db#1.secret.json matches')
    for (const c of canaries) expect(String(error)).not.toContain(c)
    for (const f of filesUnder(app.out)) for (const c of canaries) expect(readFileSync(f, 'utf8')).not.toContain(c)
  })
})
