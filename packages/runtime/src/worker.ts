// Entry of the openSecretSync worker thread (dist/worker.mjs and dist/worker.cjs); started by sync/sync-opener.ts.
import { isMainThread } from 'node:worker_threads'
import { serveOpenRequests } from './sync/worker-host.js'

if (!isMainThread) serveOpenRequests()
