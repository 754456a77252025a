import type { APIRoute } from 'astro'
import apiToken from '../../server/api.secret.txt'
import db from '../../server/db.secret.json'
import { fingerprint } from '../../server/digest'
import smtp from '../../server/smtp.secret.yaml'

// The decrypted values, opened in memory when the server loaded this module. Never log them.
export const GET: APIRoute = () =>
  Response.json({
    ok: true,
    db: { host: db.host, port: db.port, user: db.user, passwordSha256: fingerprint(db.password) },
    apiToken: { length: apiToken.trim().length, sha256: fingerprint(apiToken.trim()) },
    smtp: { host: smtp.host, user: smtp.user, passwordSha256: fingerprint(smtp.password) },
  })
