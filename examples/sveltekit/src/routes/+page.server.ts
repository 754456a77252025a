import db from '$lib/server/db.secret.json'
import { proofOf } from '$lib/server/proof'
import smtp from '$lib/server/smtp.secret.yaml'
import type { PageServerLoad } from './$types'

// `db` and `smtp` are the decrypted values, opened in memory when the server loaded this module. Never log them, and
// never send a hash of one: only facts that are not secret (proofOf is test-only, `{}` unless the tests set its key).
export const load: PageServerLoad = () => ({
  db: { host: db.host, user: db.user, passwordLength: db.password.length },
  smtp: { host: smtp.host, passwordLength: smtp.password.length },
  ...proofOf({ 'db.password': db.password, 'smtp.password': smtp.password }),
})
