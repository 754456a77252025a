/**
 * Child process of the fleet-start simulation: `count` runtime openers (createSecretOpener, each with its own SDK
 * client and connections, as separate processes would have) open the same sealed envelope at the same instant, as
 * a fleet restart does. Strategy "jitter": the runtime's defaults (its retry budget, full-jitter exponential backoff from
 * 100 ms, cap 5 s). Strategy "naive": the same runtime with a fixed 99 ms retry, no jitter, no attempt limit.
 * Prints {served, failed, failures, p50, max}: ms from the common start to each opener's value.
 * argv[2]: JSON {count, strategy, envelopePath}. Credentials and KMS_SECRETS_ENDPOINT come from the env.
 */
import { readFileSync } from 'node:fs'
import { createSecretOpener } from '@kms-secrets/runtime'
import { percentile } from '../lib/stats.mjs'

const { count, strategy, envelopePath } = JSON.parse(process.argv[2])
const envelope = JSON.parse(readFileSync(envelopePath, 'utf8'))
const naive = { maxAttempts: 100_000, baseDelayMs: 100, maxDelayMs: 100, random: () => 0.999 }
const openers = Array.from({ length: count }, () => createSecretOpener(strategy === 'naive' ? { retry: naive } : {}))

const t0 = performance.now()
const settled = await Promise.allSettled(
  openers.map((o) => o.open(envelope, { file: 'fleet.secret.json' }).then(() => performance.now() - t0)),
)
const times = settled.filter((s) => s.status === 'fulfilled').map((s) => s.value)
const failures = {}
for (const s of settled) {
  if (s.status === 'rejected') failures[s.reason?.code ?? 'unknown'] = (failures[s.reason?.code ?? 'unknown'] ?? 0) + 1
}
for (const o of openers) o.close()
console.log(
  JSON.stringify({
    served: times.length,
    failed: count - times.length,
    failures,
    p50: percentile(times, 50),
    max: times.length ? Math.max(...times) : Number.NaN,
  }),
)
