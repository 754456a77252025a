import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

/**
 * The "JS hook floor" of the build benchmark: per bundler, the least a plugin that claims `*.secret.json` must do —
 * a JavaScript load hook (loader for webpack/rspack) that reads the file and returns it as a JS module. Its cost
 * over the plain build is the bundler's plugin bridge, which no plugin with a per-file JS hook can avoid.
 */
const secretRE = /\.secret\.json$/
const toJs = (text) => `export default ${text.trim()};\n`

const rollupLike = {
  name: 'bench-js-hook',
  enforce: 'pre',
  load: {
    filter: { id: secretRE },
    async handler(id) {
      if (!secretRE.test(id)) return null
      return { code: toJs(await readFile(id, 'utf8')), moduleType: 'js' }
    },
  },
}

const esbuildPlugin = {
  name: 'bench-js-hook',
  setup(build) {
    build.onLoad({ filter: secretRE }, async (args) => ({
      contents: toJs(await readFile(args.path, 'utf8')),
      loader: 'js',
    }))
  },
}

const loader = fileURLToPath(new URL('./noop-loader.cjs', import.meta.url))

/** webpack/rspack: what unplugin's load hook turns into — a loader with `type: 'javascript/auto'`. */
export const webpackRule = { test: secretRE, type: 'javascript/auto', use: [{ loader }] }

export const jsHook = {
  vite: () => rollupLike,
  rollup: () => rollupLike,
  rolldown: () => rollupLike,
  esbuild: () => esbuildPlugin,
}
