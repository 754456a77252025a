import { defineConfig } from 'vitest/config'

/**
 * The bench smoke run (`pnpm bench:smoke`, its own CI step): every benchmark with tiny counts, only to prove it runs
 * end to end. Not part of `pnpm test` (the root config's projects are packages/* and test).
 */
export default defineConfig({
  test: {
    name: 'bench-smoke',
    root: import.meta.dirname,
    include: ['smoke.test.ts'],
    testTimeout: 600_000,
  },
})
