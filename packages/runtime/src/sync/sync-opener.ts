import type { MessagePort, Worker } from 'node:worker_threads'
import { KmsSecretsError } from '@kms-secrets/core/errors'
import { type AnyEnvelope, validateAnyEnvelope } from '@kms-secrets/core/open'
import type { OpenMeta } from '../opener/async-opener.js'
import { fileOf } from '../opener/open-error.js'
import { type ResolvedOptions, worstCaseMs } from '../opener/options.js'
import { fromErrorFields, type OpenReply, type OpenRequest, type WorkerData, type WorkerOptions } from './protocol.js'
import { resolveWorkerFile } from './worker-file.js'

/** Time the worker gets to load its modules before a blocked caller gives up. */
const startupMs = 15_000
/** Wake-up interval while blocked, to notice a worker that never started. */
const sliceMs = 250

interface Host {
  worker: Worker
  port: MessagePort
  ready: Int32Array
}

export interface SyncOpener {
  openSync(envelope: AnyEnvelope, meta: OpenMeta): unknown
  close(): void
}

/**
 * node:worker_threads, loaded when a sync open first needs it: no `node:` import at module scope, so the runtime loads
 * on hosts without worker threads (workerd) and bundlers see no builtin import.
 */
function workerThreads() {
  return process.getBuiltinModule('node:worker_threads')
}

function startHost(options: WorkerOptions, onGone: (w: Worker) => void): Host {
  const { MessageChannel, Worker } = workerThreads()
  const { port1, port2 } = new MessageChannel()
  const ready = new Int32Array(new SharedArrayBuffer(4))
  const workerData: WorkerData = { port: port2, options, ready, kmsSecretsWorker: 1 }
  const worker = new Worker(resolveWorkerFile(), { workerData, transferList: [port2] })
  // The worker serves later opens (one Decrypt per blob per process) but must never keep the process alive.
  worker.unref()
  port1.unref()
  worker.on('error', () => onGone(worker))
  worker.on('exit', () => onGone(worker))
  return { worker, port: port1, ready }
}

function takeReply(port: MessagePort, id: number): OpenReply | undefined {
  const { receiveMessageOnPort } = workerThreads()
  for (;;) {
    const received = receiveMessageOnPort(port)
    if (received === undefined) return undefined
    const reply = received.message as OpenReply
    if (reply.id === id) return reply // older ids: replies to callers that already gave up
  }
}

function gaveUp(file: string, what: string, hint: string): KmsSecretsError {
  return new KmsSecretsError('ERR_KMS_TIMEOUT', `openSecretSync gave up on ${file}: ${what}.`, { hint, file })
}

function waitForReply(host: Host, req: OpenRequest, budgetMs: number): unknown {
  const started = Date.now()
  for (;;) {
    const reply = takeReply(host.port, req.id)
    if (reply !== undefined) {
      if (reply.ok) return reply.value
      throw fromErrorFields(reply.error)
    }
    const waited = Date.now() - started
    if (Atomics.load(host.ready, 0) === 0 && waited > startupMs) {
      throw gaveUp(req.file, 'its worker thread did not start', 'Check that the process may start worker threads.')
    }
    if (waited > budgetMs) {
      throw gaveUp(
        req.file,
        `no answer within ${budgetMs} ms`,
        'Check the network path to KMS or lower KMS_SECRETS_TIMEOUT_MS.',
      )
    }
    Atomics.wait(req.signal, 0, 0, sliceMs)
  }
}

/**
 * Blocking open for CommonJS outputs (no top-level await): the open runs on a worker thread with its own
 * single-flight data-key cache; this thread sleeps in Atomics.wait until the worker has posted the value, then
 * takes it with receiveMessageOnPort. Values cross only as in-memory structured clones; nothing touches disk.
 */
export function createSyncOpener(o: ResolvedOptions): SyncOpener {
  let host: Host | undefined
  let nextId = 0
  const options: WorkerOptions = {
    region: o.region,
    endpoint: o.endpoint,
    retry: { maxAttempts: o.maxAttempts, baseDelayMs: o.baseDelayMs, maxDelayMs: o.maxDelayMs },
    timeoutMs: o.timeoutMs,
    credential: typeof o.credential === 'function' ? undefined : o.credential,
  }
  const budgetMs = worstCaseMs(o) + startupMs
  const onGone = (w: Worker): void => {
    if (host?.worker === w) host = undefined
  }
  return {
    openSync(envelope, meta) {
      const file = fileOf(meta)
      // Bad input fails here, synchronously, without starting a worker.
      const env = validateAnyEnvelope(envelope, file)
      host ??= startHost(options, onGone)
      const req: OpenRequest = { id: ++nextId, envelope: env, file, signal: new Int32Array(new SharedArrayBuffer(4)) }
      host.port.postMessage(req)
      return waitForReply(host, req, budgetMs)
    },
    close() {
      const h = host
      host = undefined
      h?.port.close()
      h?.worker.terminate().catch(() => {})
    },
  }
}
