import { afterAll, beforeAll } from 'vitest'
import { createSdkClient, type SdkClient } from './sdk.js'
import { startTestKms, type TestKms } from './server.js'

export const day = 86_400

export interface FrozenClockKms {
  /** The second the server clock stands still at. */
  readonly startSeconds: number
  readonly server: TestKms
  /** An admin SDK client of `server`. */
  readonly sdk: SdkClient
  /** Runs `fn` with the server clock `seconds` later; `fn` gets the timestamp to sign raw requests with. */
  later<T>(seconds: number, fn: (timestamp: number) => Promise<T>): Promise<T>
}

/**
 * A local-kms for the calling test file whose clock stands still at `startSeconds` (moved only inside `later`), so
 * dates are exact; the SDK signs with wall time, which stays inside the 5-minute window while the file runs.
 */
export function useFrozenClockKms(): FrozenClockKms {
  const startSeconds = Math.floor(Date.now() / 1000)
  let offsetSeconds = 0
  let server: TestKms | undefined
  let sdk: SdkClient | undefined
  beforeAll(async () => {
    server = await startTestKms({ clock: () => (startSeconds + offsetSeconds) * 1000 })
    sdk = createSdkClient(server.port)
  })
  afterAll(async () => {
    sdk?.close()
    await server?.stop()
  })
  return {
    startSeconds,
    get server() {
      if (server === undefined) throw new Error('useFrozenClockKms: the server starts in beforeAll')
      return server
    },
    get sdk() {
      if (sdk === undefined) throw new Error('useFrozenClockKms: the client is created in beforeAll')
      return sdk
    },
    async later(seconds, fn) {
      offsetSeconds = seconds
      try {
        return await fn(startSeconds + seconds)
      } finally {
        offsetSeconds = 0
      }
    },
  }
}
