import { json } from '@sveltejs/kit'
import apiToken from '$lib/server/api.secret.txt'
import db from '$lib/server/db.secret.json'
import { proofOf } from '$lib/server/proof'
import smtp from '$lib/server/smtp.secret.yaml'
import type { RequestHandler } from './$types'

// The decrypted values, opened in memory when the server loaded this module. Never log them, and never send a hash of
// one: only facts that are not secret (proofOf is test-only, `{}` unless the tests set its key).
export const GET: RequestHandler = () =>
  json({
    ok: true,
    db: { host: db.host, port: db.port, user: db.user, passwordLength: db.password.length },
    apiToken: { length: apiToken.trim().length },
    smtp: { host: smtp.host, user: smtp.user, passwordLength: smtp.password.length },
    ...proofOf({ 'db.password': db.password, apiToken: apiToken.trim(), 'smtp.password': smtp.password }),
  })
