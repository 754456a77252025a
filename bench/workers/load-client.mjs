/**
 * Child process of the throughput benchmark: a closed-loop load generator against local-kms. `concurrency` callers
 * each send the next request as soon as the previous one answered, for `durationMs` after a warm-up. Transport
 * "sdk": tencentcloud-sdk-nodejs-common's CommonClient (what the runtime uses) with a keep-alive agent; "raw": our own
 * TC3-signed http.request on a keep-alive agent (lib/tc3-client.mjs). Credentials come from the env.
 * Prints {"phase":"measure"} when the measured window starts, then one JSON result line.
 */
import { createSdkClient } from '@kms-secrets/testkit/sdk'
import { percentile } from '../lib/stats.mjs'
import { createRawClient } from '../lib/tc3-client.mjs'

const cfg = JSON.parse(process.argv[2])
const credential = { secretId: process.env.TENCENTCLOUD_SECRET_ID, secretKey: process.env.TENCENTCLOUD_SECRET_KEY }
const context = JSON.stringify({ app: 'bench', 'kms-secrets': '1' })

/** The SDK transport dialling local-kms whatever host the request names: signing stays production-identical. */
function sdkClient() {
  return createSdkClient(`http://127.0.0.1:${cfg.port}`, credential, { maxSockets: 256, reqTimeout: 60 })
}

const client = cfg.transport === 'sdk' ? sdkClient() : createRawClient({ port: cfg.port, ...credential })
const { CiphertextBlob } = await client.request('GenerateDataKey', {
  KeyId: cfg.keyId,
  KeySpec: 'AES_256',
  EncryptionContext: context,
})
const call =
  cfg.action === 'Decrypt'
    ? () => client.request('Decrypt', { CiphertextBlob, EncryptionContext: context })
    : () => client.request('GenerateDataKey', { KeyId: cfg.keyId, KeySpec: 'AES_256', EncryptionContext: context })

async function closedLoop(ms, latencies) {
  const end = performance.now() + ms
  let errors = 0
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now()
      try {
        await call()
        latencies?.push(performance.now() - t0)
      } catch {
        errors++
      }
    }
  }
  await Promise.all(Array.from({ length: cfg.concurrency }, worker))
  return errors
}

await closedLoop(cfg.warmupMs)
console.log(JSON.stringify({ phase: 'measure' }))
const latencies = []
const cpu0 = process.cpuUsage()
const t0 = performance.now()
const errors = await closedLoop(cfg.durationMs, latencies)
const elapsed = performance.now() - t0
const cpu = process.cpuUsage(cpu0)
console.log(
  JSON.stringify({
    requests: latencies.length,
    errors,
    rps: (latencies.length / elapsed) * 1000,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    clientCpu: (cpu.user + cpu.system) / 1000 / elapsed,
  }),
)
client.close()
