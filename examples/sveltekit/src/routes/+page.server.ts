import db from '$lib/server/db.secret.json'
import { fingerprint } from '$lib/server/digest'
import smtp from '$lib/server/smtp.secret.yaml'
import type { PageServerLoad } from './$types'

// `db` and `smtp` are the decrypted values, opened in memory when the server loaded this module. Never log them.
export const load: PageServerLoad = () => ({
  db: { host: db.host, user: db.user, passwordSha256: fingerprint(db.password) },
  smtp: { host: smtp.host, passwordSha256: fingerprint(smtp.password) },
})
