import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: ['src/*.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'node',
  target: 'node20',
  exports: false,
  // The runtime is what a user's bundle pulls in: keep @kms-secrets/core's open path inside, leave the SDK external.
  noExternal: ['@kms-secrets/core'],
})
