/**
 * Promise cache keyed by string: concurrent callers share one in-flight promise. A rejected promise leaves the
 * cache (so a later access can succeed); with `keep`, a fulfilled one stays. Every stored promise has a rejection
 * handler attached here, so a flight nobody awaits any more never becomes an unhandled rejection.
 */
export class SingleFlight<T> {
  readonly #entries = new Map<string, Promise<T>>()
  /** Fulfilled values of kept entries, so a hit needs no promise (`peek`). */
  readonly #settled = new Map<string, T>()
  readonly #keep: boolean

  constructor(keep: boolean) {
    this.#keep = keep
  }

  /** Returns the shared promise and whether it already existed (`joined`). */
  run(key: string, start: () => Promise<T>): { promise: Promise<T>; joined: boolean } {
    const hit = this.#entries.get(key)
    if (hit !== undefined) return { promise: hit, joined: true }
    const promise = Promise.resolve().then(start)
    this.#entries.set(key, promise)
    const drop = (): void => {
      if (this.#entries.get(key) === promise) this.#entries.delete(key)
    }
    const settle = (value: T): void => {
      if (this.#entries.get(key) === promise) this.#settled.set(key, value)
    }
    promise.then(this.#keep ? settle : drop, drop)
    return { promise, joined: false }
  }

  /** With `keep`: the value of a fulfilled entry, synchronously; undefined while in flight or absent. */
  peek(key: string): T | undefined {
    return this.#settled.get(key)
  }

  get size(): number {
    return this.#entries.size
  }

  clear(): void {
    this.#entries.clear()
    this.#settled.clear()
  }
}
