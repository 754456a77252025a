import 'server-only'
import apiToken from '../../../config/api.secret.txt'
import mail from '../../../config/mail.secret.yaml'
import { fingerprint } from '../../digest'

export function GET(): Response {
  return Response.json({
    apiToken: fingerprint(apiToken.trim()),
    smtp: { host: mail.smtp.host, user: mail.smtp.user, password: fingerprint(mail.smtp.password) },
  })
}
