import { randomInt } from 'node:crypto'

/**
 * Fault injection for tests and benchmarks: what a real KMS does on a bad day. `RequestLimitExceeded` and
 * `InternalError` are API errors (HTTP 200), `http503` is a bare HTTP 503, `drop` destroys the connection without an
 * answer, `stall` never answers (the client must time out).
 */
export const faultKinds = ['RequestLimitExceeded', 'InternalError', 'http503', 'drop', 'stall'] as const
export type FaultKind = (typeof faultKinds)[number]

/** The random mix of `--fault-rate` unless `faultKinds` narrows it; `stall` only when asked for. */
export const defaultFaultKinds: readonly FaultKind[] = ['RequestLimitExceeded', 'InternalError', 'http503', 'drop']

export interface FaultOptions {
  /** Added latency per request, in ms. */
  latencyMs?: number
  /** Fraction 0..1 of requests answered with a random fault. */
  faultRate?: number
  /** Token bucket over all callers (burst = one second's worth); excess → RequestLimitExceeded. */
  throttleQps?: number
  /** Only these actions get faults (default: all). */
  faultActions?: string[]
  /** Which faults `faultRate` picks from (default: RequestLimitExceeded, InternalError, http503, drop). */
  faultKinds?: FaultKind[]
  /** Seed of the fault RNG, for reproducible runs. */
  randomSeed?: number
}

/** mulberry32: tiny, fast, good enough to pick faults reproducibly. Returns floats in [0, 1). */
export function createRng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A token bucket refilled at `qps` tokens per second, holding at most max(1, qps) tokens. */
export class TokenBucket {
  private tokens: number
  private last: number
  private readonly capacity: number

  constructor(
    private readonly qps: number,
    nowMs: number,
  ) {
    this.capacity = Math.max(1, qps)
    this.tokens = this.capacity
    this.last = nowMs
  }

  tryTake(nowMs: number): boolean {
    const elapsed = Math.max(0, nowMs - this.last) / 1000
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.qps)
    this.last = nowMs
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}

/** Decides, per request, whether to throttle it or answer it with a fault. */
export class FaultInjector {
  readonly latencyMs: number
  private readonly rate: number
  private readonly kinds: readonly FaultKind[]
  private readonly actions: ReadonlySet<string> | undefined
  private readonly bucket: TokenBucket | undefined
  private readonly random: () => number

  constructor(options: FaultOptions, nowMs: number) {
    this.latencyMs = options.latencyMs ?? 0
    this.rate = options.faultRate ?? 0
    this.kinds = options.faultKinds?.length ? options.faultKinds : defaultFaultKinds
    this.actions = options.faultActions?.length ? new Set(options.faultActions) : undefined
    this.bucket = options.throttleQps ? new TokenBucket(options.throttleQps, nowMs) : undefined
    this.random = createRng(options.randomSeed ?? randomInt(2 ** 31))
  }

  /** True when the shared token bucket is empty. */
  isThrottled(nowMs: number): boolean {
    return this.bucket !== undefined && !this.bucket.tryTake(nowMs)
  }

  /** The fault to inject for this action, if any. */
  pickFault(action: string | undefined): FaultKind | undefined {
    if (this.rate <= 0 || (this.actions && !this.actions.has(action ?? ''))) return undefined
    if (this.random() >= this.rate) return undefined
    return this.kinds[Math.floor(this.random() * this.kinds.length)]
  }
}
