import { type AuditEntry, kmsEnv as envFor, readAudit as readAuditLog } from '@kms-secrets/testkit/local-kms'
import { createSdkClient, type SdkClient } from '@kms-secrets/testkit/sdk'
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

export type { AuditEntry }

export function readAudit(kms: KmsInfo): AuditEntry[] {
  return readAuditLog(kms.auditLog)
}

/** Audit entries for one CMK (each test file that counts KMS calls owns its CMK). */
export function auditFor(kms: KmsInfo, keyId: string, action?: string): AuditEntry[] {
  return readAudit(kms).filter((e) => e.keyId === keyId && (action === undefined || e.action === action))
}

/** The official SDK transport pointed at the shared local-kms the production way, as `who`. */
export function sdkClient(kms: KmsInfo, who: Identity): SdkClient {
  return createSdkClient(kms.endpoint, who, { keepAlive: false })
}

/** Env for a process that should talk to local-kms as `who` — and nothing else from the test's environment. */
export function kmsEnv(kms: KmsInfo, who: Identity | undefined, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return envFor(kms.endpoint, who, extra)
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
