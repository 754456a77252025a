import { randomUUID } from 'node:crypto'
import { findAction } from '../actions/index.js'
import { validateParams } from '../actions/validate-params.js'
import type { AuditLog } from '../audit/audit-log.js'
import { type Identity, isActionAllowed } from '../auth/identity.js'
import { parseTc3Authorization } from '../auth/tc3.js'
import { verifyRequest } from '../auth/verify-request.js'
import type { KeyStore } from '../keys/key-store.js'
import { secretIdRE } from '../seed/seed.js'
import { createActionContext } from './action-context.js'
import { ApiError, assertApi, isApiError } from './api-error.js'
import type { FaultInjector } from './faults.js'
import type { ResolvedOptions } from './options.js'
import type { ServerStats } from './stats.js'

export const apiVersion = '2019-01-18'

/** One HTTP request as the pipeline sees it (header names lower-case). */
export interface ApiRequest {
  method: string
  path: string
  query: string
  headers: Record<string, string | undefined>
  body: Buffer
  tooLarge: boolean
}

/** What to do with the connection: answer with JSON, destroy it, or never answer. */
export type Outcome =
  | { kind: 'json'; status: number; payload: unknown; code: string }
  | { kind: 'drop'; code: string }
  | { kind: 'stall'; code: string }

export interface ServerState {
  options: ResolvedOptions
  store: KeyStore
  identities: Map<string, Identity>
  audit: AuditLog
  faults: FaultInjector
  stats: ServerStats
}

interface AuditFacts {
  secretId: string | null
  action: string | null
  keyId: string | null
}

const actionNameRE = /^[A-Za-z0-9]{1,64}$/
const jsonContentTypeRE = /^application\/json\s*(?:;|$)/i

/** The caller's SecretId as the audit log records it: unverified input, so only a bounded, id-shaped string. */
function auditableSecretId(secretId: string | undefined): string | null {
  return secretId !== undefined && secretIdRE.test(secretId) ? secretId : null
}

/** Runs one API call end to end and writes its audit line. Never throws. */
export async function processRequest(state: ServerState, req: ApiRequest): Promise<Outcome> {
  const requestId = randomUUID()
  const action = req.headers['x-tc-action']
  const facts: AuditFacts = {
    secretId: auditableSecretId(parseTc3Authorization(req.headers.authorization)?.secretId),
    action: action !== undefined && actionNameRE.test(action) ? action : null,
    keyId: null,
  }
  let outcome: Outcome
  try {
    outcome = await runCall(state, req, requestId, facts)
  } catch (error) {
    outcome = errorOutcome(requestId, toApiError(state, error))
  }
  state.audit.write({ time: new Date(state.options.clock()).toISOString(), requestId, ...facts, code: outcome.code })
  state.stats.record(outcome.code)
  return outcome
}

function toApiError(state: ServerState, error: unknown): ApiError {
  if (isApiError(error)) return error
  if (!state.options.quiet) state.options.log(`local-kms: internal error: ${(error as Error)?.stack ?? String(error)}`)
  return new ApiError('InternalError', 'local-kms hit an internal error; see its stderr.')
}

export function errorOutcome(requestId: string, error: ApiError): Outcome {
  const payload = { Response: { Error: { Code: error.code, Message: error.message }, RequestId: requestId } }
  return { kind: 'json', status: 200, payload, code: error.code }
}

async function runCall(state: ServerState, req: ApiRequest, requestId: string, facts: AuditFacts): Promise<Outcome> {
  checkTransport(req)
  const nowMs = state.options.clock()
  const identity = verifyRequest(req, {
    nowSeconds: Math.floor(nowMs / 1000),
    maxSkewSeconds: state.options.maxSkewSeconds,
    findIdentity: (id) => state.identities.get(id),
  })
  assertApi(
    !state.faults.isThrottled(nowMs),
    'RequestLimitExceeded',
    'Request rate limit exceeded (local-kms throttle).',
  )
  const injected = injectFault(state, req.headers['x-tc-action'])
  if (injected) return injected
  const version = req.headers['x-tc-version']
  assertApi(version, 'MissingParameter', 'The X-TC-Version header is required.')
  assertApi(version === apiVersion, 'NoSuchVersion', `KMS supports only version ${apiVersion}.`)
  const name = req.headers['x-tc-action']
  assertApi(name, 'MissingParameter', 'The X-TC-Action header is required.')
  const action = findAction(name)
  assertApi(action, 'InvalidAction', 'The action is not a KMS action served by local-kms.')
  assertApi(
    isActionAllowed(identity, action.name),
    'AuthFailure.UnauthorizedOperation',
    `The credential may not call ${action.name}.`,
  )
  const params = validateParams(action.name, action.fields, parseBody(req.body))
  const ctx = createActionContext(state.store, identity, Math.floor(nowMs / 1000), facts)
  const result = await action.handle(params, ctx)
  return { kind: 'json', status: 200, payload: { Response: { ...result, RequestId: requestId } }, code: 'OK' }
}

function checkTransport(req: ApiRequest): void {
  assertApi(req.method === 'POST' && req.path === '/', 'UnsupportedProtocol', 'local-kms accepts only POST /.')
  assertApi(!req.tooLarge, 'RequestSizeLimitExceeded', 'The request body exceeds the size limit.')
  const contentType = req.headers['content-type'] ?? ''
  assertApi(jsonContentTypeRE.test(contentType), 'InvalidRequest', 'Content-Type must be application/json.')
}

function parseBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    throw new ApiError('InvalidParameter', 'The request body is not valid JSON.')
  }
  const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
  assertApi(isObject, 'InvalidParameter', 'The request body must be a JSON object.')
  return parsed as Record<string, unknown>
}

function injectFault(state: ServerState, action: string | undefined): Outcome | undefined {
  const fault = state.faults.pickFault(action)
  if (fault === undefined) return undefined
  state.stats.recordFault(fault)
  switch (fault) {
    case 'RequestLimitExceeded':
      throw new ApiError('RequestLimitExceeded', 'Request rate limit exceeded (injected fault).')
    case 'InternalError':
      throw new ApiError('InternalError', 'Internal error (injected fault).')
    case 'http503': {
      const payload = { Response: { Error: { Code: 'ServiceUnavailable', Message: 'Injected HTTP 503.' } } }
      return { kind: 'json', status: 503, payload, code: 'ServiceUnavailable' }
    }
    case 'drop':
      return { kind: 'drop', code: 'ConnectionDropped' }
    case 'stall':
      return { kind: 'stall', code: 'ConnectionStalled' }
  }
}
