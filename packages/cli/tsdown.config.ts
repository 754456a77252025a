import { defineConfig } from 'tsdown'

export default defineConfig({
  // Only the bin's entry and the public index: src/exit-codes.ts and src/commands/* are bundled into them.
  entry: ['src/cli.ts', 'src/index.ts'],
  format: ['esm'],
  dts: true,
  platform: 'node',
  target: 'node20',
  exports: false,
})
