import 'server-only'
import db from '../../../config/db.secret.json'
import { fingerprint } from '../../digest'

// `db` is the decrypted object, opened in memory when the server loaded this route. Never log it.
export function GET(): Response {
  const { host, port, user, password } = db
  return Response.json({ host, port, user, password: fingerprint(password) })
}
