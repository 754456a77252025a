import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'local-kms',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
  },
})
