import 'server-only'
import db from '../config/db.secret.json'
import { fingerprint } from './digest'

// Secrets are opened when the server runs, never while `next build` prerenders: render this page per request.
export const dynamic = 'force-dynamic'

export default function Home() {
  return (
    <main>
      <h1>Connected to {db.host}</h1>
      <p data-testid="password">{JSON.stringify(fingerprint(db.password))}</p>
    </main>
  )
}
