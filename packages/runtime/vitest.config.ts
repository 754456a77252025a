import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'runtime',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // The credential chain's last sources probe the CVM metadata service: never from a test (loopback only).
    env: { KMS_SECRETS_METADATA_URL: 'off', KMS_SECRETS_STS_ENDPOINT: 'http://127.0.0.1:9/' },
  },
})
