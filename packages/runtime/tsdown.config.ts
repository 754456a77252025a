import { defineConfig } from 'tsdown'

export default defineConfig({
  // index (what generated code imports) and worker (the openSecretSync thread, found next to index at run time).
  entry: ['src/*.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'node',
  target: 'node20',
  exports: false,
  // The runtime is what a user's bundle pulls in: keep @kms-secrets/core's open path (and its subpaths) inside,
  // leave the SDK external. tsdown turns import.meta.url into pathToFileURL(__filename) in the CJS output itself.
  deps: { alwaysBundle: [/^@kms-secrets\/core(\/|$)/] },
})
