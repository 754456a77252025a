import { isAbsolute, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import rspack from '@rspack/core'
import * as esbuild from 'esbuild'
import * as rolldown from 'rolldown'
import * as rollup from 'rollup'
import kmsEsbuild from 'unplugin-kms-secrets/esbuild'
import kmsRolldown from 'unplugin-kms-secrets/rolldown'
import kmsRollup from 'unplugin-kms-secrets/rollup'
import kmsRspack from 'unplugin-kms-secrets/rspack'
import kmsVite from 'unplugin-kms-secrets/vite'
import kmsWebpack from 'unplugin-kms-secrets/webpack'
import * as vite from 'vite'
import webpack from 'webpack'
import { floorPlugin, webpackRule } from './js-hook.mjs'

export const bundlers = ['vite', 'rollup', 'rolldown', 'esbuild', 'webpack', 'rspack']

/**
 * Every bundler builds the same node server the same way: ESM out, no minify, no source maps, bare imports left
 * external (node_modules ship next to the server; so the SDK is not re-bundled, only the runtime entry, which
 * generated code imports by absolute path). `plugin`: unplugin-kms-secrets options, false (plugin off), or a floor
 * of lib/js-hook.mjs: 'js-hook' (bare JS load hook) or 'gen-hook' (the same returning the generated-module shape).
 */
const isFloor = (plugin) => plugin === 'js-hook' || plugin === 'gen-hook'

const ownPlugins = {
  vite: kmsVite,
  rollup: kmsRollup,
  rolldown: kmsRolldown,
  esbuild: kmsEsbuild,
  webpack: kmsWebpack,
  rspack: kmsRspack,
}

/**
 * The plugin for `kind` with `options`; `options.pluginDist` (bench only, removed from the options) loads it from
 * another built copy of the plugin's dist instead, for side-by-side A/B runs (build-overhead.mjs).
 */
async function kmsPlugin(kind, options) {
  const { pluginDist, ...rest } = options
  if (pluginDist === undefined) return ownPlugins[kind](rest)
  const mod = await import(pathToFileURL(join(pluginDist, `${kind}.mjs`)).href)
  return mod.default(rest)
}
const isBare = (id) => !id.startsWith('.') && !isAbsolute(id) && !id.startsWith('\0')

async function buildVite({ root, entry, outDir, plugin }) {
  await vite.build({
    root,
    configFile: false,
    logLevel: 'silent',
    cacheDir: join(outDir, '.vite-cache'),
    plugins: isFloor(plugin) ? [floorPlugin('vite', plugin, root)] : plugin ? [await kmsPlugin('vite', plugin)] : [],
    // As an installed dependency the runtime is external in vite's SSR build by default; here it is a linked
    // workspace package, which vite would bundle: make every bare import external, as for the other bundlers.
    ssr: { external: true },
    build: {
      ssr: entry,
      outDir,
      emptyOutDir: true,
      minify: false,
      rolldownOptions: { output: { format: 'es', entryFileNames: 'server.mjs' } },
    },
  })
}

/**
 * Rollup has no built-in JSON support and @rollup/plugin-json is not installed here: the plain build gets this
 * equivalent of it (default export only), the other bundlers use their own JSON handling.
 */
const plainJson = {
  name: 'bench-plain-json',
  transform(code, id) {
    return id.endsWith('.json') ? { code: `export default ${code.trim()};\n`, map: null } : null
  },
}

async function buildRollup({ root, entry, outDir, plugin }) {
  const bundle = await rollup.rollup({
    input: join(root, entry),
    external: isBare,
    plugins: isFloor(plugin)
      ? [floorPlugin('rollup', plugin, root)]
      : plugin
        ? [await kmsPlugin('rollup', plugin)]
        : [plainJson],
    onwarn: () => {},
  })
  try {
    await bundle.write({ dir: outDir, format: 'es', entryFileNames: 'server.mjs' })
  } finally {
    await bundle.close()
  }
}

async function buildRolldown({ root, entry, outDir, plugin }) {
  await rolldown.build({
    input: join(root, entry),
    cwd: root,
    platform: 'node',
    external: isBare,
    plugins: isFloor(plugin)
      ? [floorPlugin('rolldown', plugin, root)]
      : plugin
        ? [await kmsPlugin('rolldown', plugin)]
        : [],
    onLog: () => {},
    output: { dir: outDir, format: 'esm', entryFileNames: 'server.mjs' },
  })
}

async function buildEsbuild({ root, entry, outDir, plugin }) {
  await esbuild.build({
    entryPoints: [join(root, entry)],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: join(outDir, 'server.mjs'),
    packages: 'external',
    logLevel: 'silent',
    plugins: isFloor(plugin)
      ? [floorPlugin('esbuild', plugin, root)]
      : plugin
        ? [await kmsPlugin('esbuild', plugin)]
        : [],
  })
}

async function webpackLikeConfig(kind, { root, entry, outDir, plugin }) {
  const pluginInstance = plugin && !isFloor(plugin) ? [await kmsPlugin(kind, plugin)] : []
  return {
    mode: 'production',
    context: root,
    entry: join(root, entry),
    target: 'node20',
    output: {
      path: outDir,
      filename: 'server.mjs',
      clean: true,
      module: true,
      chunkFormat: 'module',
      library: { type: 'module' },
    },
    externalsType: 'module',
    externals: [({ request }, callback) => (request && isBare(request) ? callback(null, request) : callback())],
    ...(kind === 'webpack' ? { experiments: { outputModule: true } } : {}),
    devtool: false,
    optimization: { minimize: false },
    cache: false,
    infrastructureLogging: { level: 'error' },
    plugins: pluginInstance,
    ...(isFloor(plugin) ? { module: { rules: [webpackRule(plugin)] } } : {}),
  }
}

async function buildWebpackLike(kind, o) {
  const config = await webpackLikeConfig(kind, o)
  const compiler = kind === 'webpack' ? webpack(config) : rspack(config)
  const stats = await new Promise((resolve, reject) => compiler.run((err, s) => (err ? reject(err) : resolve(s))))
  await new Promise((resolve, reject) => compiler.close((err) => (err ? reject(err) : resolve())))
  if (stats?.hasErrors()) {
    const errors = stats.toJson({ all: false, errors: true }).errors ?? []
    throw new Error(`${kind} build failed: ${errors.map((e) => e.message ?? e).join('\n')}`)
  }
}

export const build = {
  vite: buildVite,
  rollup: buildRollup,
  rolldown: buildRolldown,
  esbuild: buildEsbuild,
  webpack: (o) => buildWebpackLike('webpack', o),
  rspack: (o) => buildWebpackLike('rspack', o),
}
