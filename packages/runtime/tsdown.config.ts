import { defineConfig } from 'tsdown'

/**
 * The bundled SDK is CommonJS; rolldown's ESM output reaches node builtins through `createRequire(import.meta.url)`.
 * A user's bundler that turns this ESM into CommonJS (esbuild `format: 'cjs'`) leaves `import.meta.url` empty, so
 * fall back to the CommonJS `__filename` there. Only node builtins go through this require.
 */
const requireShimFix = {
  name: 'kms-secrets:require-shim',
  renderChunk(code: string) {
    const shim = 'createRequire(import.meta.url)'
    if (!code.includes(shim)) return null
    return code.replace(shim, "createRequire(import.meta.url || (typeof __filename === 'string' ? __filename : '/'))")
  },
}

const bundled = { alwaysBundle: [/^@kms-secrets\/core(\/|$)/, /^tencentcloud-sdk-nodejs-common(\/|$)/] }

export default defineConfig([
  {
    // index (what generated code imports) and the openSecretSync worker thread, found next to index at run time.
    entry: ['src/*.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    platform: 'node',
    target: 'node20',
    exports: false,
    // The runtime is what a user's bundle pulls in: keep @kms-secrets/core's open path (and its subpaths) AND the
    // Tencent SDK transport inside, so the runtime is self-contained: a bundler that inlines it needs no node_modules
    // at run time, and esbuild ESM bundles never meet the SDK's CommonJS `require('crypto')` (which esbuild cannot
    // turn into ESM: "Dynamic require of crypto is not supported"). tsdown turns import.meta.url into
    // pathToFileURL(__filename) in the CJS output itself.
    plugins: [requireShimFix],
    deps: bundled,
  },
  {
    // One self-contained, minified file of the worker: the plugins copy it next to a CommonJS bundle that inlined the
    // runtime (as kms-secrets-worker.cjs), so that bundle runs from a dist/ with no node_modules.
    entry: { 'kms-secrets-worker-standalone': 'src/kms-secrets-worker.ts' },
    format: ['cjs'],
    dts: false,
    clean: false,
    minify: true,
    platform: 'node',
    target: 'node20',
    exports: false,
    deps: bundled,
  },
])
