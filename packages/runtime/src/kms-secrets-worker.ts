// The openSecretSync file (dist/kms-secrets-worker.mjs and .cjs; a unique name, because a bundler plugin copies the
// self-contained .cjs next to a user's bundle): loaded on the main thread by `@kms-secrets/runtime/sync` for
// openSecretSync, and started by sync/sync-opener.ts as the worker thread that opens.
import { isMainThread, workerData } from 'node:worker_threads'
import { isOwnWorker } from './sync/protocol.js'
import { serveOpenRequests } from './sync/worker-host.js'
// The worker serves every mode: it cannot know which envelopes its process's bundle holds.
import './project.js'

export { openSecretSync } from './opener/secret-opener.js'

// A user's own worker thread may load this file for openSecretSync: serve only in a thread we started.
if (!isMainThread && isOwnWorker(workerData)) serveOpenRequests()
