import 'server-only'
import db from '../config/db.secret.json'
import { proofOf } from './proof'

// Secrets are opened when the server runs, never while `next build` prerenders: render this page per request.
export const dynamic = 'force-dynamic'

export default function Home() {
  const password = { length: db.password.length, ...proofOf({ password: db.password }) }
  return (
    <main>
      <h1>Connected to {db.host}</h1>
      <p data-testid="password">{JSON.stringify(password)}</p>
    </main>
  )
}
