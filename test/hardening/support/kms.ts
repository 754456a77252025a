import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { Agent } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTencentProvider, type KmsProvider } from '@kms-secrets/core'
import type { AuditEntry } from '@kms-secrets/local-kms'
import { type LocalKms, type LocalKmsOptions, type Seed, startLocalKms } from '@kms-secrets/local-kms'
import { CommonClient } from 'tencentcloud-sdk-nodejs-common'

export interface Identity {
  secretId: string
  secretKey: string
  token?: string
}

/** Fresh random credentials (nothing long-lived is written anywhere). */
export function newIdentity(name: string): Identity {
  return {
    secretId: `AKIDhard${name}${randomBytes(6).toString('hex')}`,
    secretKey: randomBytes(24).toString('base64url'),
  }
}

/** A fixed, valid local-kms KeyId for a short name (keys keep their material across restarts of one data dir). */
export function keyIdFor(name: string): string {
  const hex = Buffer.from(name).toString('hex').padEnd(12, '0').slice(0, 12)
  return `hard0000-0000-4000-8000-${hex}`
}

export interface TestKms {
  kms: LocalKms
  endpoint: string
  port: number
  dataDir: string
  auditLog: string
  /** Closes the server (the data dir stays until `dispose`). */
  close(): Promise<void>
  /** Closes the server and removes the data dir. */
  dispose(): Promise<void>
}

export function makeDataDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `kms-hardening-${prefix}-`))
}

/** An in-process local-kms on 127.0.0.1, a free port (unless given) and `dataDir` (fresh temp dir by default). */
export async function startKms(options: Partial<LocalKmsOptions> & { seed?: Seed }): Promise<TestKms> {
  const dataDir = options.dataDir ?? makeDataDir('kms')
  const kms = await startLocalKms({ host: '127.0.0.1', port: 0, quiet: true, ...options, dataDir })
  return {
    kms,
    endpoint: kms.endpoint,
    port: kms.port,
    dataDir,
    auditLog: join(dataDir, 'audit.log'),
    close: () => kms.close(),
    async dispose() {
      await kms.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** core's Tencent provider (what the runtime and the plugin use) with explicit credentials. */
export function providerFor(endpoint: string, who: Identity, timeoutMs = 10_000): KmsProvider {
  return createTencentProvider({ endpoint, credential: who, region: 'ap-guangzhou', timeoutMs })
}

/** The official SDK's CommonClient, signing for service `kms` and dialing the loopback port (production-identical). */
export function sdkClient(endpoint: string, who: Identity, reqTimeoutSeconds = 10): CommonClient & { close(): void } {
  const url = new URL(endpoint)
  const agent = new Agent({ keepAlive: true })
  ;(agent as unknown as { createConnection: unknown }).createConnection = () =>
    connect({ host: url.hostname, port: Number(url.port) })
  const client = new CommonClient('kms.tencentcloudapi.com', '2019-01-18', {
    credential: who,
    region: 'ap-guangzhou',
    profile: {
      httpProfile: {
        endpoint: `kms.tencentcloudapi.com:${url.port}`,
        protocol: 'http://',
        agent,
        reqTimeout: reqTimeoutSeconds,
      },
    },
  })
  return Object.assign(client, { close: () => agent.destroy() })
}

/** Env for a child process that talks to KMS as `who` — and nothing else from the test's environment. */
export function childEnv(endpoint: string, who: Identity | undefined, extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    KMS_SECRETS_ENDPOINT: endpoint,
    TENCENTCLOUD_REGION: 'ap-guangzhou',
    ...extra,
  }
  if (who) {
    env.TENCENTCLOUD_SECRET_ID = who.secretId
    env.TENCENTCLOUD_SECRET_KEY = who.secretKey
    if (who.token) env.TENCENTCLOUD_SESSION_TOKEN = who.token
  }
  return env
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p
  } catch (e) {
    return e as Error & Record<string, unknown>
  }
  throw new Error('expected a rejection, got a value')
}

export type { AuditEntry }

export function readAudit(path: string): AuditEntry[] {
  let text = ''
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return []
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as AuditEntry)
}
