import 'server-only'
import apiToken from '../../../config/api.secret.txt'
import mail from '../../../config/mail.secret.yaml'
import { proofOf } from '../../proof'

export function GET(): Response {
  const { host, user, password } = mail.smtp
  return Response.json({
    apiToken: { length: apiToken.trim().length },
    smtp: { host, user, password: { length: password.length } },
    ...proofOf({ apiToken: apiToken.trim(), 'smtp.password': password }),
  })
}
