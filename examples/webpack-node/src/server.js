import { createHmac } from 'node:crypto'
import { createServer } from 'node:http'
import apiToken from '../config/api.secret.txt'
import db from '../config/db.secret.json'

// `db` and `apiToken` are the decrypted values, opened in memory when this module loaded. Never log them.
// Never answer a hash of one either: an unsalted hash of a password is a fingerprint anyone can brute-force offline.

// Test-only: the repository's e2e tests set KMS_EXAMPLE_PROOF_KEY (a random hex key per run) to check that the exact
// values arrived, as HMAC-SHA256(key, value) under `proof`. Leave it unset in a real deployment: no `proof` at all.
const proofKeyHex = process.env.KMS_EXAMPLE_PROOF_KEY
if (proofKeyHex !== undefined && !/^(?:[0-9a-f]{2}){16,}$/i.test(proofKeyHex)) {
  throw new Error('KMS_EXAMPLE_PROOF_KEY (test-only) must be at least 32 hex digits; unset it outside the tests.')
}
const proofKey = proofKeyHex === undefined ? undefined : Buffer.from(proofKeyHex, 'hex')
const proofOf = (values) =>
  proofKey === undefined
    ? {}
    : {
        proof: Object.fromEntries(
          Object.entries(values).map(([name, v]) => [name, createHmac('sha256', proofKey).update(v).digest('hex')]),
        ),
      }

const server = createServer((req, res) => {
  if (req.method !== 'GET' || req.url !== '/') {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"ok":false}\n')
    return
  }
  // Stands in for a database client and an upstream API call: it shows the config is here without revealing it.
  const body = {
    ok: true,
    db: { host: db.host, port: db.port, user: db.user, passwordLength: db.password.length },
    apiToken: { length: apiToken.trim().length },
    ...proofOf({ 'db.password': db.password, apiToken: apiToken.trim() }),
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`)
})

server.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address()
  console.log(`listening on http://${address}:${port}`)
})

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)))
