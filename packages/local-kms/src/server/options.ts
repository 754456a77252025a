import { resolve } from 'node:path'
import type { Seed } from '../seed/seed.js'
import { type FaultKind, type FaultOptions, faultKinds } from './faults.js'
import { LocalKmsError } from './local-kms-error.js'

/** Options of `startLocalKms`. */
export interface LocalKmsOptions extends FaultOptions {
  /** Interface to bind (default 127.0.0.1). */
  host?: string
  /** Port (default 4599; 0 = any free port). */
  port?: number
  /**
   * Where keys, identities and the audit log live (created 0700 if missing). Required here; `defaultDataDir()` is the
   * per-user state dir the bin uses. Keep it outside any project: startup warns when it is not.
   */
  dataDir: string
  /** Seed object, or the path of a seed JSON file; applied idempotently on every start. */
  seed?: Seed | string
  /** Fault options grouped as in the contract; top-level fault options win. */
  faults?: FaultOptions
  /** Print no notices (admin identity, internal errors); the data-dir-inside-a-project warning still goes to `log`. */
  quiet?: boolean
  /** Largest accepted request body in bytes (default 64 KiB); larger → RequestSizeLimitExceeded. */
  maxBodyBytes?: number
  /** Time allowed to receive the request headers (default 10 000 ms) — slowloris guard. */
  headersTimeoutMs?: number
  /** Time allowed to receive the whole request (default 30 000 ms). */
  requestTimeoutMs?: number
  /** Allowed TC3 clock skew in seconds (default 300, as Tencent). */
  maxSkewSeconds?: number
  /** Clock in ms since the epoch (tests inject one to reach expiry, rotation and deletion dates). */
  clock?: () => number
  /** Where notices go (default: stderr). */
  log?: (line: string) => void
}

export interface ResolvedOptions {
  host: string
  port: number
  dataDir: string
  seed: Seed | string | undefined
  faults: FaultOptions
  quiet: boolean
  maxBodyBytes: number
  headersTimeoutMs: number
  requestTimeoutMs: number
  maxSkewSeconds: number
  clock: () => number
  log: (line: string) => void
}

function invalid(what: string): LocalKmsError {
  return new LocalKmsError('ERR_LOCAL_KMS_OPTIONS', `local-kms option ${what}.`, 'Fix the option and start again.')
}

function checkNumber(name: string, value: number | undefined, min: number, max: number, integer = true): void {
  if (value === undefined) return
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max
  if (!ok || (integer && !Number.isInteger(value))) {
    throw invalid(`${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`)
  }
}

function resolveFaults(options: LocalKmsOptions): FaultOptions {
  const pick = <K extends keyof FaultOptions>(k: K): FaultOptions[K] => options[k] ?? options.faults?.[k]
  const faults: FaultOptions = {
    latencyMs: pick('latencyMs'),
    faultRate: pick('faultRate'),
    throttleQps: pick('throttleQps'),
    faultActions: pick('faultActions'),
    faultKinds: pick('faultKinds'),
    randomSeed: pick('randomSeed'),
  }
  checkNumber('latencyMs', faults.latencyMs, 0, 600_000)
  checkNumber('faultRate', faults.faultRate, 0, 1, false)
  checkNumber('throttleQps', faults.throttleQps, 0, 1_000_000, false)
  checkNumber('randomSeed', faults.randomSeed, 0, 2 ** 32 - 1)
  for (const kind of faults.faultKinds ?? []) {
    if (!faultKinds.includes(kind as FaultKind)) throw invalid(`faultKinds must only hold ${faultKinds.join(', ')}`)
  }
  return faults
}

/** Validates and fills in defaults. */
export function resolveOptions(options: LocalKmsOptions): ResolvedOptions {
  if (typeof options?.dataDir !== 'string' || options.dataDir === '') throw invalid('dataDir is required')
  checkNumber('port', options.port, 0, 65_535)
  checkNumber('maxBodyBytes', options.maxBodyBytes, 1024, 10 * 1024 * 1024)
  checkNumber('headersTimeoutMs', options.headersTimeoutMs, 100, 600_000)
  checkNumber('requestTimeoutMs', options.requestTimeoutMs, 100, 600_000)
  checkNumber('maxSkewSeconds', options.maxSkewSeconds, 0, 86_400)
  const headersTimeoutMs = options.headersTimeoutMs ?? 10_000
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 4599,
    dataDir: resolve(options.dataDir),
    seed: options.seed,
    faults: resolveFaults(options),
    quiet: options.quiet ?? false,
    maxBodyBytes: options.maxBodyBytes ?? 64 * 1024,
    headersTimeoutMs,
    // Node requires requestTimeout ≥ headersTimeout.
    requestTimeoutMs: Math.max(options.requestTimeoutMs ?? 30_000, headersTimeoutMs),
    maxSkewSeconds: options.maxSkewSeconds ?? 300,
    clock: options.clock ?? Date.now,
    log: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
  }
}
