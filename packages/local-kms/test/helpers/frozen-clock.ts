import { type UsedKms, useTestKms } from './use-kms.js'

export const day = 86_400

export interface FrozenClockKms extends UsedKms {
  /** The second the server clock stands still at. */
  readonly startSeconds: number
  /** Runs `fn` with the server clock `seconds` later; `fn` gets the timestamp to sign raw requests with. */
  later<T>(seconds: number, fn: (timestamp: number) => Promise<T>): Promise<T>
}

/**
 * `useTestKms` with a clock that stands still at `startSeconds` (moved only inside `later`), so dates are exact; the
 * SDK signs with wall time, which stays inside the 5-minute window while the file runs.
 */
export function useFrozenClockKms(): FrozenClockKms {
  const startSeconds = Math.floor(Date.now() / 1000)
  let offsetSeconds = 0
  const kms = useTestKms({ clock: () => (startSeconds + offsetSeconds) * 1000 })
  return {
    startSeconds,
    get server() {
      return kms.server
    },
    get sdk() {
      return kms.sdk
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
