// Entry of the openSecretSync worker thread (dist/kms-secrets-worker.mjs and .cjs; a unique name, because a
// bundler plugin may copy it next to a user's bundle); started by sync/sync-opener.ts.
import { isMainThread } from 'node:worker_threads'
import { serveOpenRequests } from './sync/worker-host.js'

if (!isMainThread) serveOpenRequests()
