import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build as testkitBuild } from '@kms-secrets/testkit/build'
import { floorPlugin, webpackRule } from './js-hook.mjs'

export { bundlers } from '@kms-secrets/testkit/build'

/**
 * The bench builds with the testkit's build map (the one the e2e suite uses), each bundler the same way: ESM out, no
 * minify, no source maps, bare imports left external (node_modules ship next to the server; so the SDK is not
 * re-bundled, only the runtime entry, which generated code imports by absolute path), and nothing but the bundle
 * written (no persistent cache, manifest, metafile or stats: the timed build is the bundler's own work).
 * `plugin`: unplugin-kms-secrets options, false (plugin off), or a floor of lib/js-hook.mjs: 'js-hook' (bare JS load
 * hook) or 'gen-hook' (the same returning the generated-module shape).
 */
const isFloor = (plugin) => plugin === 'js-hook' || plugin === 'gen-hook'

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

/**
 * The testkit options that put `plugin` into a build of `bundler`: the plugin itself (`plugin`), or `plugins` /
 * `moduleRules` in its place. `plugin.pluginDist` (bench only, removed from the options) loads the plugin from another
 * built copy of its dist instead, for side-by-side A/B runs (build-overhead.mjs).
 */
async function pluginOptions(bundler, plugin, root) {
  if (isFloor(plugin)) {
    const webpackLike = bundler === 'webpack' || bundler === 'rspack'
    return webpackLike
      ? { plugins: [], moduleRules: [webpackRule(plugin)] }
      : { plugins: [floorPlugin(bundler, plugin, root)] }
  }
  if (!plugin) return { plugins: bundler === 'rollup' ? [plainJson] : [] }
  const { pluginDist, ...options } = plugin
  if (pluginDist === undefined) return { plugin: options }
  const mod = await import(pathToFileURL(join(pluginDist, `${bundler}.mjs`)).href)
  return { plugins: [mod.default(options)] }
}

/** `build[bundler]({ root, entry, outDir, plugin })`: one ESM server build into outDir. */
export const build = Object.fromEntries(
  Object.entries(testkitBuild).map(([bundler, run]) => [
    bundler,
    async ({ root, entry, outDir, plugin }) => {
      await run({
        root,
        entry,
        outDir,
        cacheDir: join(outDir, '.vite-cache'),
        format: 'esm',
        sourcemap: 'off',
        externals: 'bare',
        extras: false,
        ...(await pluginOptions(bundler, plugin, root)),
      })
    },
  ]),
)
