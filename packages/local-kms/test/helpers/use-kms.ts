import { afterAll, beforeAll } from 'vitest'
import type { LocalKmsOptions } from '../../src/index.js'
import { createSdkClient, type SdkClient } from './sdk.js'
import { startTestKms, type TestKms } from './server.js'

export interface UsedKms {
  readonly server: TestKms
  /** An admin SDK client of `server`. */
  readonly sdk: SdkClient
}

/**
 * A local-kms from this package's sources (seeded with `admin` unless `options` say otherwise) started before the
 * calling test file and stopped after it, with an admin SDK client. Hooks registered after this run after the start.
 */
export function useTestKms(options: Partial<LocalKmsOptions> = {}): UsedKms {
  let server: TestKms | undefined
  let sdk: SdkClient | undefined
  beforeAll(async () => {
    server = await startTestKms(options)
    sdk = createSdkClient(server.port)
  })
  afterAll(async () => {
    sdk?.close()
    await server?.stop()
  })
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useTestKms: the server starts in beforeAll')
    return value
  }
  return {
    get server() {
      return started(server)
    },
    get sdk() {
      return started(sdk)
    },
  }
}
