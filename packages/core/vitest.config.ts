import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'core',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // Unit projects: two workers (vitest's default on 2 cores is one; most files wait on sockets, children, timers).
    // Projects of one sequence group must agree on maxWorkers: the unit projects are group 1 (after the e2e group 0).
    maxWorkers: 2,
    sequence: { groupOrder: 1 },
    // Test files share a worker's module graph (no global state, mocks or env changes survive a file): the per-file
    // re-import of the packages was about half of this project's CPU time.
    isolate: false,
  },
})
