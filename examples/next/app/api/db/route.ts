import 'server-only'
import db from '../../../config/db.secret.json'
import { proofOf } from '../../proof'

// `db` is the decrypted object, opened in memory when the server loaded this route. Never log it.
// Never answer a hash of the password either: an unsalted hash is a fingerprint anyone can brute-force offline.
export function GET(): Response {
  const { host, port, user, password } = db
  return Response.json({ host, port, user, password: { length: password.length }, ...proofOf({ password }) })
}
