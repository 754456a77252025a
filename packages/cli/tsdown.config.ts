import { defineConfig } from 'tsdown'

// Only the bin's entry and the public index: src/exit-codes.ts and src/commands/* are bundled into them. ESM for node,
// target from package.json engines (tsdown's defaults); types; no package.json exports rewrite.
export default defineConfig({ entry: ['src/cli.ts', 'src/index.ts'], dts: true, platform: 'node' })
