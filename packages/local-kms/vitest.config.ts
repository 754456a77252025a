import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'local-kms',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // Test files share a worker's module graph (no global state, mocks or env changes survive a file): the per-file
    // re-import of the packages was about half of this project's CPU time.
    isolate: false,
  },
})
