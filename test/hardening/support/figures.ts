import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** HARDENING_SCALE multiplies every bounded count of the suite (default 1: the CI size; e.g. 10 for a soak). */
export const scale: number = Math.max(1, Number(process.env.HARDENING_SCALE ?? '1') || 1)

/** `n × HARDENING_SCALE`, rounded. */
export function scaled(n: number): number {
  return Math.round(n * scale)
}

export const figuresDir: string = join(dirname(fileURLToPath(import.meta.url)), '..', '.figures')

type Figure = number | string | boolean | number[] | Record<string, number>

export interface Figures {
  /** Adds `by` (default 1) to a counter. */
  add(name: string, by?: number): void
  /** Sets a figure (a measurement, a series, a map of counters). */
  set(name: string, value: Figure): void
  /** Adds to a counter inside a map figure, e.g. `count('rejected', 'ERR_ENVELOPE_AUTH')`. */
  count(map: string, key: string, by?: number): void
  get(name: string): Figure | undefined
  /** Writes `.figures/<suite>.json` and prints a one-line summary per figure. */
  write(): void
}

/**
 * What an attack suite measured (cases tried, faults injected, restarts survived, requests refused…), written to
 * test/hardening/.figures/<suite>.json at the end of the file; SECURITY.md quotes them.
 */
export function createFigures(suite: string): Figures {
  const started = Date.now()
  const data: Record<string, Figure> = {}
  return {
    add(name, by = 1) {
      data[name] = ((data[name] as number | undefined) ?? 0) + by
    },
    set(name, value) {
      data[name] = value
    },
    count(map, key, by = 1) {
      const m = (data[map] ?? {}) as Record<string, number>
      m[key] = (m[key] ?? 0) + by
      data[map] = m
    },
    get: (name) => data[name],
    write() {
      const record = {
        suite,
        date: new Date().toISOString(),
        scale,
        node: process.version,
        durationMs: Date.now() - started,
        figures: data,
      }
      mkdirSync(figuresDir, { recursive: true })
      writeFileSync(join(figuresDir, `${suite}.json`), `${JSON.stringify(record, null, 2)}\n`)
      const lines = Object.entries(data).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
      console.log(`[hardening:${suite}] scale ${scale}, ${record.durationMs} ms\n${lines.join('\n')}`)
    },
  }
}
