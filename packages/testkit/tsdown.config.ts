import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: ['src/*.ts'],
  format: ['esm'],
  dts: true,
  platform: 'node',
  target: 'node20',
  exports: false,
})
