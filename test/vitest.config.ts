import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'e2e',
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/fixtures/**', '.tmp/**'],
    // One local-kms (127.0.0.1, free port, temp data dir, seeded identities and keys) for every e2e file.
    globalSetup: ['./global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
