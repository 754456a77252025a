/**
 * Child process of benchmark 2: the KMS round trip as the runtime pays it, measured in the same run as the starts.
 * One signed Decrypt (TC3, a data key of ~the runtime's size, an encryption context) over a NEW TCP connection to
 * local-kms, from a warm process: connect + request + local-kms's work + response. Prints {rtt}: the median of `reps`
 * timed calls after 2 warm-up calls, in ms.
 * argv[2]: JSON {port, build: {secretId, secretKey}, runtime: {secretId, secretKey}, keyId, reps}.
 */
import { randomBytes } from 'node:crypto'
import { median } from '../lib/stats.mjs'
import { createRawClient } from '../lib/tc3-client.mjs'

const { port, build, runtime, keyId, reps } = JSON.parse(process.argv[2])
const EncryptionContext = JSON.stringify({ 'kms-secrets': 'v2', file: 's000.secret.json' })
const sealer = createRawClient({ port, ...build })
const { CiphertextBlob } = await sealer.request('Encrypt', {
  KeyId: keyId,
  Plaintext: randomBytes(32).toString('base64'),
  EncryptionContext,
})
sealer.close()
const client = createRawClient({ port, ...runtime, keepAlive: false })
const times = []
for (let i = 0; i < reps + 2; i++) {
  const t0 = performance.now()
  await client.request('Decrypt', { CiphertextBlob, EncryptionContext })
  if (i >= 2) times.push(performance.now() - t0)
}
client.close()
console.log(JSON.stringify({ rtt: median(times) }))
