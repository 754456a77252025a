import apiToken from '../../config/api.secret.txt'
import db from '../../config/db.secret.json'
import { proofOf } from '../utils/proof'

// `db` and `apiToken` are the decrypted values, opened in memory when this module loaded. Never log them.
// Never answer a hash of one either: an unsalted hash of a password is a fingerprint anyone can brute-force offline.

// Stands in for a database client and an upstream API call: it shows the config is here without revealing it.
export default defineEventHandler(() => ({
  ok: true,
  db: { host: db.host, port: db.port, user: db.user, passwordLength: db.password.length },
  apiToken: { length: apiToken.trim().length },
  ...proofOf({ 'db.password': db.password, apiToken: apiToken.trim() }),
}))
