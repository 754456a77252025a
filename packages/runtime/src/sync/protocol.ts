import type { MessagePort } from 'node:worker_threads'
import { type ErrorCode, isKmsSecretsError, KmsSecretsError } from '@kms-secrets/core/errors'
import type { AnyEnvelope } from '@kms-secrets/core/open'
import type { TencentCredential } from '../credentials/types.js'

/** Options the worker rebuilds its opener from (plain data: functions cannot cross threads). */
export interface WorkerOptions {
  region: string | undefined
  endpoint: string | undefined
  retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number }
  timeoutMs: number
  /** Static credentials given as an option (a function cannot cross threads: then there is no openSync). */
  credential?: TencentCredential | undefined
}

export interface WorkerData {
  port: MessagePort
  options: WorkerOptions
  /** Set to 1 by the worker once its modules are loaded (lets the caller tell "slow KMS" from "no worker"). */
  ready: Int32Array
  /** Marks a worker started by sync-opener.ts (a user's own worker thread may load the worker file too). */
  kmsSecretsWorker: 1
}

export const isOwnWorker = (d: unknown): d is WorkerData => (d as WorkerData | null)?.kmsSecretsWorker === 1

export interface OpenRequest {
  id: number
  envelope: AnyEnvelope
  file: string
  /** Set to 1 and notified by the worker after it has posted the reply. */
  signal: Int32Array
}

/** Only these fields cross the thread boundary; stacks and causes stay in the worker. */
export interface ErrorFields {
  code: string
  message: string
  hint?: string | undefined
  kmsCode?: string | undefined
  requestId?: string | undefined
  file?: string | undefined
  keyId?: string | undefined
}

export type OpenReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: ErrorFields }

export function toErrorFields(e: unknown): ErrorFields {
  if (isKmsSecretsError(e)) {
    const { code, message, hint, kmsCode, requestId, file, keyId } = e
    return { code, message, hint, kmsCode, requestId, file, keyId }
  }
  return { code: 'ERR_INTERNAL', message: 'The kms-secrets worker failed unexpectedly.' }
}

export function fromErrorFields(f: ErrorFields): KmsSecretsError {
  // Shaped like a code (our worker sent it); not checked against the list, which would ship the whole list.
  const code = (/^ERR_[A-Z_]+$/.test(f.code) ? f.code : 'ERR_INTERNAL') as ErrorCode
  const { hint, kmsCode, requestId, file, keyId } = f
  return new KmsSecretsError(code, f.message, { hint, kmsCode, requestId, file, keyId })
}
