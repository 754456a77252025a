import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const { generatedShape } = createRequire(import.meta.url)('./generated-shape.cjs')

/**
 * The build benchmark's floors, per bundler: what any plugin claiming `*.secret.json` pays before doing its own work.
 * "js-hook": a JavaScript load hook (webpack/rspack: a loader) that reads the file and returns it as a JS module —
 * the bundler's plugin bridge. "gen-hook": the same hook over sealed files returning the module shape the plugin
 * generates (lib/generated-shape.cjs) — adds what the bundler pays for that shape (envelope literal, top-level await,
 * named exports). The plugin's own cost is what it takes beyond gen-hook.
 */
const secretRE = /\.secret\.json$/

function rollupLike(kind, root) {
  return {
    name: `bench-${kind}`,
    enforce: 'pre',
    load: {
      filter: { id: secretRE },
      async handler(id) {
        if (!secretRE.test(id)) return null
        return { code: toModule(kind, await readFile(id, 'utf8'), id, root), moduleType: 'js' }
      },
    },
  }
}

function toModule(kind, text, path, root) {
  return kind === 'gen-hook' ? generatedShape(text, relative(root, path)) : `export default ${text.trim()};\n`
}

function esbuildPlugin(kind, root) {
  return {
    name: `bench-${kind}`,
    setup(build) {
      build.onLoad({ filter: secretRE }, async (args) => ({
        contents: toModule(kind, await readFile(args.path, 'utf8'), args.path, root),
        loader: 'js',
      }))
    },
  }
}

const loader = fileURLToPath(new URL('./noop-loader.cjs', import.meta.url))

/** webpack/rspack: what unplugin's load hook turns into — a loader rule with `type: 'javascript/auto'`. */
export function webpackRule(kind) {
  return {
    test: secretRE,
    type: 'javascript/auto',
    use: [{ loader: kind === 'gen-hook' ? `${loader}?shape` : loader }],
  }
}

/** `kind`: 'js-hook' | 'gen-hook'; returns the plugin for a rollup-family bundler or esbuild. */
export function floorPlugin(bundler, kind, root) {
  return bundler === 'esbuild' ? esbuildPlugin(kind, root) : rollupLike(kind, root)
}
