import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import apiToken from '../config/api.secret.txt'
import db from '../config/db.secret.json'

// `db` and `apiToken` are the decrypted values, opened in memory when this module loaded. Never log them.
const fingerprint = (value) => createHash('sha256').update(value).digest('hex').slice(0, 12)

const server = createServer((req, res) => {
  if (req.method !== 'GET' || req.url !== '/') {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"ok":false}\n')
    return
  }
  // Stands in for a database client and an upstream API call: it proves the config is here without revealing it.
  const body = {
    ok: true,
    db: {
      host: db.host,
      port: db.port,
      user: db.user,
      passwordLength: db.password.length,
      passwordSha256: fingerprint(db.password),
    },
    apiToken: { length: apiToken.trim().length, sha256: fingerprint(apiToken.trim()) },
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`)
})

server.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address()
  console.log(`listening on http://${address}:${port}`)
})

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)))
