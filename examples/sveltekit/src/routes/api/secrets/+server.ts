import { json } from '@sveltejs/kit'
import apiToken from '$lib/server/api.secret.txt'
import db from '$lib/server/db.secret.json'
import { fingerprint } from '$lib/server/digest'
import smtp from '$lib/server/smtp.secret.yaml'
import type { RequestHandler } from './$types'

export const GET: RequestHandler = () =>
  json({
    ok: true,
    db: { host: db.host, port: db.port, user: db.user, passwordSha256: fingerprint(db.password) },
    apiToken: { length: apiToken.trim().length, sha256: fingerprint(apiToken.trim()) },
    smtp: { host: smtp.host, user: smtp.user, passwordSha256: fingerprint(smtp.password) },
  })
