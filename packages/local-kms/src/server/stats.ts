import type { FaultKind } from './faults.js'

/** Counters of what the server answered; tests and benchmarks assert on these instead of on timings. */
export interface StatsSnapshot {
  requests: number
  ok: number
  /** Result code → count (includes "OK"). */
  codes: Record<string, number>
  /** Injected fault kind → count. */
  faults: Partial<Record<FaultKind, number>>
}

export class ServerStats {
  private requests = 0
  private readonly codes = new Map<string, number>()
  private readonly faults = new Map<FaultKind, number>()

  record(code: string): void {
    this.requests += 1
    this.codes.set(code, (this.codes.get(code) ?? 0) + 1)
  }

  recordFault(kind: FaultKind): void {
    this.faults.set(kind, (this.faults.get(kind) ?? 0) + 1)
  }

  snapshot(): StatsSnapshot {
    return {
      requests: this.requests,
      ok: this.codes.get('OK') ?? 0,
      codes: Object.fromEntries(this.codes),
      faults: Object.fromEntries(this.faults),
    }
  }
}
