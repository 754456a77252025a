import { afterEach, describe, expect, it } from 'vitest'
import { createRng, FaultInjector, TokenBucket } from '../src/server/faults.js'
import { b64, createSdkClient, type SdkClient } from './helpers/sdk.js'
import { startTestKms, type TestKms } from './helpers/server.js'

const open: { server: TestKms; sdk: SdkClient }[] = []
afterEach(async () => {
  for (const { server, sdk } of open.splice(0)) {
    sdk.close()
    await server.stop()
  }
})

async function faulty(options: Parameters<typeof startTestKms>[0]) {
  const server = await startTestKms(options)
  const sdk = createSdkClient(server.port, undefined, { reqTimeout: 2 })
  open.push({ server, sdk })
  return { server, sdk }
}

/** What the SDK saw: "OK", an API code, "http<status>" or "network". */
async function outcome(
  sdk: SdkClient,
  action = 'GenerateRandom',
  params: Record<string, unknown> = { NumberOfBytes: 4 },
) {
  try {
    await sdk.call(action, params)
    return 'OK'
  } catch (error) {
    const e = error as { code?: string; httpCode?: number }
    if (e.code) return e.code
    if (e.httpCode) return `http${e.httpCode}`
    return 'network'
  }
}

function tally(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1
  return counts
}

describe('fault injection units', () => {
  it('the RNG is reproducible from its seed', () => {
    const a = createRng(42)
    const b = createRng(42)
    const xs = Array.from({ length: 5 }, a)
    expect(Array.from({ length: 5 }, b)).toEqual(xs)
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true)
  })

  it('the token bucket allows a burst of qps, then refills at qps per second', () => {
    const bucket = new TokenBucket(5, 0)
    expect(Array.from({ length: 8 }, () => bucket.tryTake(0)).filter(Boolean)).toHaveLength(5)
    expect(bucket.tryTake(100)).toBe(false)
    expect(bucket.tryTake(200)).toBe(true)
    expect(Array.from({ length: 10 }, () => bucket.tryTake(10_000)).filter(Boolean)).toHaveLength(5)
  })

  it('faultRate picks the share of requests it is told to, from the configured kinds', () => {
    const injector = new FaultInjector({ faultRate: 0.3, randomSeed: 7, faultKinds: ['InternalError', 'drop'] }, 0)
    const picks = Array.from({ length: 10_000 }, () => injector.pickFault('Decrypt'))
    const faults = picks.filter(Boolean)
    expect(faults.length).toBeGreaterThan(2700)
    expect(faults.length).toBeLessThan(3300)
    expect(new Set(faults)).toEqual(new Set(['InternalError', 'drop']))
  })
})

describe('fault injection over HTTP', () => {
  it.each([
    ['RequestLimitExceeded', 'RequestLimitExceeded'],
    ['InternalError', 'InternalError'],
    ['http503', 'http503'],
    ['drop', 'network'],
  ] as const)('faultRate 1 with kind %s: the SDK sees %s', async (kind, seen) => {
    const { server, sdk } = await faulty({ faultRate: 1, faultKinds: [kind] })
    expect(await outcome(sdk)).toBe(seen)
    expect(await outcome(sdk)).toBe(seen)
    expect(server.kms.stats().faults).toEqual({ [kind]: 2 })
  })

  it('a stalled request is never answered: the client times out, the server stays usable', async () => {
    const { server, sdk } = await faulty({ faultRate: 1, faultKinds: ['stall'], faultActions: ['Decrypt'] })
    // 0.2 s: the stall never ends, so any timeout shows it; a shorter one only saves waiting.
    const stalled = createSdkClient(server.port, undefined, { reqTimeout: 0.2 })
    try {
      expect(await outcome(stalled, 'Decrypt', { CiphertextBlob: 'x' })).toBe('network')
    } finally {
      stalled.close()
    }
    expect(await outcome(sdk)).toBe('OK')
  })

  it('faultRate 0.5 (seeded) fails about half of 200 calls, and the counts add up', async () => {
    const { server, sdk } = await faulty({ faultRate: 0.5, randomSeed: 1234 })
    const seen: string[] = []
    for (let i = 0; i < 200; i++) seen.push(await outcome(sdk))
    const counts = tally(seen)
    expect(counts.OK).toBeGreaterThan(60)
    expect(counts.OK).toBeLessThan(140)
    const stats = server.kms.stats()
    const injected = Object.values(stats.faults).reduce((a, b) => a + (b ?? 0), 0)
    expect(injected + (counts.OK ?? 0)).toBe(200)
    expect(counts.network ?? 0).toBe(stats.faults.drop ?? 0)
    expect(counts.http503 ?? 0).toBe(stats.faults.http503 ?? 0)
    expect(counts.InternalError ?? 0).toBe(stats.faults.InternalError ?? 0)
  })

  it('faultActions limits faults to the listed actions', async () => {
    const { sdk } = await faulty({ faultRate: 1, faultKinds: ['InternalError'], faultActions: ['Decrypt'] })
    expect(await outcome(sdk)).toBe('OK')
    expect(await outcome(sdk, 'Decrypt', { CiphertextBlob: 'x' })).toBe('InternalError')
  })

  it('throttleQps: with a frozen clock exactly qps of 20 concurrent calls pass, the rest get RequestLimitExceeded', async () => {
    const frozen = Date.now()
    const { sdk } = await faulty({ throttleQps: 5, clock: () => frozen })
    const seen = await Promise.all(Array.from({ length: 20 }, () => outcome(sdk)))
    expect(tally(seen)).toEqual({ OK: 5, RequestLimitExceeded: 15 })
  })

  it('latencyMs delays every answer by at least that much', async () => {
    const { sdk } = await faulty({ latencyMs: 150 })
    const started = performance.now()
    await sdk.call('Encrypt', { KeyId: 'missing', Plaintext: b64('x') }).catch(() => undefined)
    expect(performance.now() - started).toBeGreaterThanOrEqual(145)
  })

  it('the contract form { faults: {...} } works too', async () => {
    const { sdk } = await faulty({ faults: { faultRate: 1, faultKinds: ['RequestLimitExceeded'] } })
    expect(await outcome(sdk)).toBe('RequestLimitExceeded')
  })
})
