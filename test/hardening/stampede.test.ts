import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { newCanary } from '@kms-secrets/testkit/leak'
import { kmsEnv, readAudit, startTestKms, type TestKms } from '@kms-secrets/testkit/local-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFigures, scaled } from './support/figures.js'
import { adminAndRuntime, keyIdFor, newIdentity, providerFor } from './support/kms.js'
import { sealJson } from './support/seal.js'
import { makeWorkDir } from './support/work.js'

const figures = createFigures('stampede')
const processes = scaled(100)
const qps = Number(process.env.HARDENING_STAMPEDE_QPS ?? 20)
/**
 * Decrypt attempts per process (KMS_SECRETS_MAX_ATTEMPTS). The default (6, base 100 ms) spreads retries over ≤ 3.1 s:
 * enough for a synchronized start of ~1.2× the quota. Here demand is up to 5× the quota (100 processes released
 * together, 20/s), which needs ~10–12 attempts (simulation in SECURITY.md "Known limits"); a run with 8 lost one
 * process out of 100 to ERR_KMS_THROTTLED.
 */
const attempts = process.env.HARDENING_STAMPEDE_ATTEMPTS ?? '12'
const keyId = keyIdFor('stampede')
const admin = newIdentity('Admin')
const runtimeId = newIdentity('Runtime')
const work = makeWorkDir('stampede')
const canary = newCanary()
const value = { password: canary, host: 'db.internal' }
let kms: TestKms

const childScript = `
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { openSecret } from '@kms-secrets/runtime'
const envelope = JSON.parse(readFileSync(new URL('./envelope.json', import.meta.url), 'utf8'))
process.stdout.write('ready\\n')
await new Promise((resolve) => process.stdin.once('data', resolve))
process.stdin.destroy()
const started = Date.now()
try {
  const v = await openSecret(envelope, { file: 'config/db.secret.json' })
  const digest = createHash('sha256').update(JSON.stringify(v)).digest('hex')
  process.stdout.write(JSON.stringify({ ok: true, ms: Date.now() - started, digest }) + '\\n')
} catch (e) {
  process.stdout.write(JSON.stringify({ ok: false, ms: Date.now() - started, code: e.code }) + '\\n')
  process.exitCode = 3
}
`

interface Child {
  proc: ChildProcessWithoutNullStreams
  ready: Promise<void>
  result: Promise<{ ok: boolean; ms: number; digest?: string; code?: string }>
}

function startChild(env: NodeJS.ProcessEnv): Child {
  const proc = spawn(process.execPath, [join(work.dir, 'child.mjs')], { cwd: work.dir, env, stdio: 'pipe' })
  let out = ''
  let onReady: () => void = () => undefined
  const ready = new Promise<void>((resolve) => {
    onReady = resolve
  })
  proc.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d
    if (out.startsWith('ready\n')) onReady()
  })
  proc.stderr.resume()
  const result = new Promise<Child['result'] extends Promise<infer T> ? T : never>((resolve) => {
    proc.on('close', () => {
      const line = out.split('\n').find((l) => l.startsWith('{'))
      resolve(line ? JSON.parse(line) : { ok: false, ms: 0, code: 'no output' })
    })
  })
  return { proc, ready, result }
}

beforeAll(async () => {
  kms = await startTestKms({
    seed: {
      identities: adminAndRuntime(admin, runtimeId, [keyId]),
      keys: [{ keyId, alias: 'hard-stampede' }],
    },
    throttleQps: qps,
  })
  const env = await sealJson(providerFor(kms.endpoint, admin), keyId, value)
  writeFileSync(join(work.dir, 'envelope.json'), JSON.stringify(env))
  writeFileSync(join(work.dir, 'child.mjs'), childScript)
})
afterAll(async () => {
  figures.write()
  await kms.dispose()
  work.remove()
})

/** Audit lines per time bucket of `ms`, from the first Decrypt. */
function buckets(entries: { time: string; code: string }[], ms: number): { ok: number; refused: number }[] {
  const t0 = Date.parse(entries[0]!.time)
  const out: { ok: number; refused: number }[] = []
  for (const e of entries) {
    const i = Math.floor((Date.parse(e.time) - t0) / ms)
    for (let k = out.length; k <= i; k++) out.push({ ok: 0, refused: 0 })
    if (e.code === 'OK') out[i]!.ok++
    else out[i]!.refused++
  }
  return out
}

describe(`${processes} server processes start at the same instant against a KMS limited to ${qps} Decrypt/s`, () => {
  it('all get the value; KMS never serves more than its limit; retries are spread, not synchronized', async () => {
    const env = kmsEnv(kms.endpoint, runtimeId, { KMS_SECRETS_MAX_ATTEMPTS: attempts })
    const children: Child[] = []
    // Start in batches (startup is CPU-bound on 2 cores); every child loads the runtime, then waits for "go".
    for (let i = 0; i < processes; i += 25) {
      const batch = Array.from({ length: Math.min(25, processes - i) }, () => startChild(env))
      await Promise.all(batch.map((c) => c.ready))
      children.push(...batch)
    }
    const before = readAudit(kms.auditLog).length
    for (const c of children) c.proc.stdin.write('go\n')
    const results = await Promise.all(children.map((c) => c.result))
    const expected = createHash('sha256').update(JSON.stringify(value)).digest('hex')

    const failed = results.filter((r) => !r.ok)
    figures.set('processes', processes)
    figures.set('processesSucceeded', results.length - failed.length)
    figures.set(
      'failedCodes',
      Object.fromEntries(failed.map((f) => [f.code ?? '?', failed.filter((g) => g.code === f.code).length])),
    )
    expect(failed).toEqual([])
    expect(results.every((r) => r.digest === expected)).toBe(true)

    const decrypts = readAudit(kms.auditLog)
      .slice(before)
      .filter((e) => e.action === 'Decrypt')
    const ok = decrypts.filter((e) => e.code === 'OK').length
    const refused = decrypts.filter((e) => e.code === 'RequestLimitExceeded').length
    expect(ok).toBe(processes) // one Decrypt per process, however many retries
    expect(ok + refused).toBe(decrypts.length)
    const perSecond = buckets(decrypts, 1000)
    const per10ms = buckets(decrypts, 10)
    // A token bucket of `qps` tokens refilled at `qps`/s: no calendar second can see more than 2 × qps accepted.
    expect(Math.max(...perSecond.map((b) => b.ok))).toBeLessThanOrEqual(2 * qps)
    // Jitter: after the first 200 ms (the synchronized first attempts), retries never arrive as a wave — no 10 ms
    // slot sees a quarter of the fleet (without jitter a whole retry round lands in the same few milliseconds).
    const laterPeak = Math.max(0, ...per10ms.slice(20).map((b) => b.ok + b.refused))
    expect(laterPeak).toBeLessThan(processes / 4)
    const times = results.map((r) => r.ms).sort((a, b) => a - b)
    figures.set('decryptAccepted', ok)
    figures.set('decryptRefused', refused)
    figures.set(
      'acceptedPerSecond',
      perSecond.map((b) => b.ok),
    )
    figures.set(
      'refusedPerSecond',
      perSecond.map((b) => b.refused),
    )
    figures.set('attemptsPer10msAfterFirst200ms_peak', laterPeak)
    figures.set(
      'attemptsInFirst200ms',
      per10ms.slice(0, 20).reduce((n, b) => n + b.ok + b.refused, 0),
    )
    figures.set('openMs_p50_p90_max', [
      times[Math.floor(times.length / 2)]!,
      times[Math.floor(times.length * 0.9)]!,
      times[times.length - 1]!,
    ])
    figures.set('maxAttemptsPerProcess', Number(attempts))
    figures.set('qpsLimit', qps)
  }, 300_000)
})
