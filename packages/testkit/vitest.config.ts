import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'testkit',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // Unit projects: two workers (vitest's default on 2 cores is one; most files wait on sockets, children, timers).
    // Projects of one sequence group must agree on maxWorkers: the unit projects are group 1 (after the e2e group 0).
    maxWorkers: 2,
    sequence: { groupOrder: 1 },
  },
})
