import { existsSync, readFileSync } from 'node:fs'
import { Agent } from 'node:http'
import { connect } from 'node:net'
import { CommonClient } from 'tencentcloud-sdk-nodejs-common'
import { inject } from 'vitest'
import type { Identities, Identity, keyIds } from './seed.js'

export interface KmsInfo {
  endpoint: string
  dataDir: string
  auditLog: string
  identities: Identities
  keyIds: typeof keyIds
}

declare module 'vitest' {
  export interface ProvidedContext {
    kms: KmsInfo
  }
}

/** The local-kms the globalSetup started. */
export function useKms(): KmsInfo {
  return inject('kms')
}

export interface AuditEntry {
  time: string
  requestId: string
  secretId: string
  action: string
  keyId?: string
  code: string
}

export function readAudit(kms: KmsInfo): AuditEntry[] {
  if (!existsSync(kms.auditLog)) return []
  return readFileSync(kms.auditLog, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as AuditEntry)
}

/** Audit entries for one CMK (each test file that counts KMS calls owns its CMK). */
export function auditFor(kms: KmsInfo, keyId: string, action?: string): AuditEntry[] {
  return readAudit(kms).filter((e) => e.keyId === keyId && (action === undefined || e.action === action))
}

/**
 * The official SDK transport pointed at local-kms the production way: endpoint `kms.tencentcloudapi.com:<port>`
 * (so requests are signed for service `kms`) over http, with an agent that dials the loopback port.
 */
export function sdkClient(kms: KmsInfo, who: Identity): CommonClient {
  const url = new URL(kms.endpoint)
  const agent = new Agent()
  ;(agent as unknown as { createConnection: unknown }).createConnection = () =>
    connect({ host: url.hostname, port: Number(url.port) })
  return new CommonClient('kms.tencentcloudapi.com', '2019-01-18', {
    credential: { secretId: who.secretId, secretKey: who.secretKey },
    region: 'ap-guangzhou',
    profile: {
      httpProfile: { endpoint: `kms.tencentcloudapi.com:${url.port}`, protocol: 'http://', agent, reqTimeout: 10 },
    },
  })
}

/** Env for a process that should talk to local-kms as `who` — and nothing else from the test's environment. */
export function kmsEnv(kms: KmsInfo, who: Identity | undefined, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    KMS_SECRETS_ENDPOINT: kms.endpoint,
    TENCENTCLOUD_REGION: 'ap-guangzhou',
    ...extra,
  }
  if (who) {
    env.TENCENTCLOUD_SECRET_ID = who.secretId
    env.TENCENTCLOUD_SECRET_KEY = who.secretKey
  }
  return env
}

/** Changes process.env as given (undefined deletes a variable); returns a function that restores it. */
export function setEnv(vars: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]))
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) delete process.env[k]
      else process.env[k] = val
    }
  }
  apply(vars)
  return () => apply(saved)
}

/** Runs `fn` with process.env changed as given, then restores it. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const restore = setEnv(vars)
  try {
    return await fn()
  } finally {
    restore()
  }
}

/** process.env for an in-process build as `who` (undefined: no credentials at all). */
export function buildEnvVars(kms: KmsInfo, who: Identity | undefined): Record<string, string | undefined> {
  return {
    KMS_SECRETS_ENDPOINT: kms.endpoint,
    TENCENTCLOUD_REGION: 'ap-guangzhou',
    TENCENTCLOUD_SECRET_ID: who?.secretId,
    TENCENTCLOUD_SECRET_KEY: who?.secretKey,
    TENCENTCLOUD_SESSION_TOKEN: undefined,
    KMS_SECRETS_KEY_ID: undefined,
  }
}
