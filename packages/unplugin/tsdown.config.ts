import { defineConfig } from 'tsdown'

// ESM for node, target from package.json engines (tsdown's defaults); types; no package.json exports rewrite.
export default defineConfig({ entry: ['src/*.ts'], dts: true, platform: 'node' })
