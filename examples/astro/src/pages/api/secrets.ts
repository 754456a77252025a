import type { APIRoute } from 'astro'
import apiToken from '../../server/api.secret.txt'
import db from '../../server/db.secret.json'
import { proofOf } from '../../server/proof'
import smtp from '../../server/smtp.secret.yaml'

// The decrypted values, opened in memory when the server loaded this module. Never log them, and never send a hash of
// one: only facts that are not secret (proofOf is test-only, `{}` unless the tests set its key).
export const GET: APIRoute = () =>
  Response.json({
    ok: true,
    db: { host: db.host, port: db.port, user: db.user, passwordLength: db.password.length },
    apiToken: { length: apiToken.trim().length },
    smtp: { host: smtp.host, user: smtp.user, passwordLength: smtp.password.length },
    ...proofOf({ 'db.password': db.password, apiToken: apiToken.trim(), 'smtp.password': smtp.password }),
  })
