import { workerData as data } from 'node:worker_threads'
import { createAsyncOpener } from '../opener/async-opener.js'
import { resolveOptions } from '../opener/options.js'
import { type OpenReply, type OpenRequest, toErrorFields, type WorkerData } from './protocol.js'

async function answer(open: ReturnType<typeof createAsyncOpener>['open'], req: OpenRequest): Promise<OpenReply> {
  try {
    return { id: req.id, ok: true, value: await open(req.envelope, { file: req.file }) }
  } catch (e) {
    return { id: req.id, ok: false, error: toErrorFields(e) }
  }
}

/**
 * Worker side of openSecretSync: one async opener for the worker's life, so later opens in the same process
 * reuse its data keys. Every reply is posted BEFORE the caller is woken, so receiveMessageOnPort finds it.
 */
export function serveOpenRequests(): void {
  const { port, options, ready } = data as WorkerData
  const opener = createAsyncOpener(resolveOptions(options))
  port.on('message', (req: OpenRequest) => {
    void answer(opener.open, req).then((reply) => {
      try {
        port.postMessage(reply)
      } catch {
        // A value that cannot be cloned (never for our formats): report without its content.
        port.postMessage({ id: req.id, ok: false, error: toErrorFields(undefined) } satisfies OpenReply)
      }
      Atomics.store(req.signal, 0, 1)
      Atomics.notify(req.signal, 0)
    })
  })
  Atomics.store(ready, 0, 1)
  Atomics.notify(ready, 0)
}
