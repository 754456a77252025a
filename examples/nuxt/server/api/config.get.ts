import { createHash } from 'node:crypto'
import apiToken from '../../config/api.secret.txt'
import db from '../../config/db.secret.json'

// `db` and `apiToken` are the decrypted values, opened in memory when this module loaded. Never log them.
const fingerprint = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 12)

// Stands in for a database client and an upstream API call: it proves the config is here without revealing it.
export default defineEventHandler(() => ({
  ok: true,
  db: {
    host: db.host,
    port: db.port,
    user: db.user,
    passwordLength: db.password.length,
    passwordSha256: fingerprint(db.password),
  },
  apiToken: { length: apiToken.trim().length, sha256: fingerprint(apiToken.trim()) },
}))
