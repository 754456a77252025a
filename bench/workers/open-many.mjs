/**
 * Child process of benchmark 2: opens N envelopes sealed with one data key one after the other, as the generated
 * modules of a bundle do, `reps` times, each with a fresh runtime opener (so each rep does its own KMS Decrypt).
 * Times the first open (client setup + the one Decrypt + AES-GCM) apart from the N−1 others (the data key is then
 * cached: AES-GCM only), without process-start noise. Prints {first, rest}: medians over the reps, in ms.
 * argv[2]: JSON {envelopesPath, reps, profile?}; with `profile`, the N−1-opens phases are CPU-profiled (node:inspector)
 * into that file.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { createSecretOpener } from '@kms-secrets/runtime'
import { median } from '../lib/stats.mjs'

const { envelopesPath, reps, profile } = JSON.parse(process.argv[2])
const envelopes = JSON.parse(readFileSync(envelopesPath, 'utf8'))
const session = profile ? new Session() : undefined
if (session) {
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 100 })
}

const first = []
const rest = []
for (let r = 0; r < reps; r++) {
  const opener = createSecretOpener()
  const t0 = performance.now()
  await opener.open(envelopes[0], { file: envelopes[0].id })
  const t1 = performance.now()
  if (session && r === reps - 1) await session.post('Profiler.start')
  const t2 = performance.now()
  for (const envelope of envelopes.slice(1)) await opener.open(envelope, { file: envelope.id })
  const t3 = performance.now()
  if (session && r === reps - 1) writeFileSync(profile, JSON.stringify((await session.post('Profiler.stop')).profile))
  opener.close()
  first.push(t1 - t0)
  rest.push(t3 - t2)
}
console.log(JSON.stringify({ first: median(first), rest: median(rest) }))
