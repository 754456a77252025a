// The lean openSecretSync file (dist/kms-secrets-worker-standalone-lean.cjs only): kms-secrets-worker.ts without mode
// "project". The plugins write it as kms-secrets-worker.cjs next to a CommonJS bundle in which no secret was sealed
// with a project key, leaving the HPKE receiver and recipient-key import out (~4.7 KiB); otherwise they write the
// full worker. Same roles: loaded on the main thread by `@kms-secrets/runtime/sync`, run as the worker thread.
import { isMainThread, workerData } from 'node:worker_threads'
import { KmsSecretsError } from '@kms-secrets/core/errors'
import { registerProjectMode } from './opener/project-mode.js'
import { isOwnWorker } from './sync/protocol.js'
import { serveOpenRequests } from './sync/worker-host.js'

export { openSecretSync } from './opener/secret-opener.js'

if (!isMainThread && isOwnWorker(workerData)) {
  // A project envelope reaching this worker (a stale or hand-copied worker file) fails typed, saying which file to
  // deploy: the opener's own ERR_PROJECT_KEY hint (import '@kms-secrets/runtime/project') cannot help a worker
  // thread. Registered in our own thread only, whose globalThis holds nothing else.
  registerProjectMode(() => {
    throw new KmsSecretsError(
      'ERR_PROJECT_KEY',
      'It is sealed with a project key (mode "project"), and this kms-secrets-worker.cjs was written without project mode.',
      'Rebuild with unplugin-kms-secrets (it writes the worker with project mode when a secret of the build uses a project key), or deploy @kms-secrets/runtime/worker-standalone as kms-secrets-worker.cjs.',
    )
  })
  serveOpenRequests()
}
