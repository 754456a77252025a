import { defineConfig } from 'tsdown'

// Test helpers only: ESM for node (target from engines), types for the tests that import them.
export default defineConfig({ entry: ['src/*.ts'], dts: true, platform: 'node' })
