import { afterEach, beforeEach, expect } from 'vitest'

/**
 * Fails each test of the file after which an unhandled rejection surfaced: late rejections (timed-out attempts,
 * abandoned flights) get `settleMs` to appear before the check.
 */
export function expectNoUnhandledRejections(settleMs: number): void {
  const unhandled: unknown[] = []
  const onUnhandled = (e: unknown) => unhandled.push(e)
  beforeEach(() => {
    unhandled.length = 0
    process.on('unhandledRejection', onUnhandled)
  })
  afterEach(async () => {
    await new Promise((r) => setTimeout(r, settleMs))
    process.off('unhandledRejection', onUnhandled)
    expect(unhandled).toEqual([])
  })
}
