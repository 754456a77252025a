import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { isRunning, readAudit, startLocalKmsProcess, startTestKms } from '@kms-secrets/testkit/local-kms'

export { kmsEnv } from '@kms-secrets/testkit/local-kms'

/** One CMK per benchmark, so audit-log counts of one never include another's calls. */
export const keyIds = {
  calls: 'bench000-0000-4000-8000-000000000001',
  perFile: 'bench000-0000-4000-8000-000000000002',
  build: 'bench000-0000-4000-8000-000000000003',
  load: 'bench000-0000-4000-8000-000000000004',
  fleet: 'bench000-0000-4000-8000-000000000005',
  weight: 'bench000-0000-4000-8000-000000000006',
  /** Project keys (issue 12): the CMK wrapping the project's private key, symmetric / RSA_2048 / SM2. */
  project: 'bench000-0000-4000-8000-000000000007',
  projectRsa: 'bench000-0000-4000-8000-000000000008',
  projectSm2: 'bench000-0000-4000-8000-000000000009',
  /** Old-style sealing in separate `encrypt` calls (a data key per call). */
  perCall: 'bench000-0000-4000-8000-000000000010',
}

const keyUsages = { projectRsa: 'ASYMMETRIC_DECRYPT_RSA_2048', projectSm2: 'ASYMMETRIC_DECRYPT_SM2' }

function identity(name) {
  return {
    secretId: `AKIDbench${name}${randomBytes(6).toString('hex')}`,
    secretKey: randomBytes(24).toString('base64url'),
  }
}

/** Fresh random credentials per bench run; they live only in the scratch data dir and in child env vars. */
export function createIdentities() {
  return { build: identity('Build'), runtime: identity('Runtime'), admin: identity('Admin') }
}

/**
 * Seeds `dataDir` once with an in-process local-kms (identities and keys persist in the data dir), so the server
 * processes started later need no seed file holding credentials.
 */
export async function seedDataDir(dataDir, ids) {
  const keys = Object.entries(keyIds).map(([name, keyId]) => ({
    keyId,
    alias: `bench-${name}`,
    ...(keyUsages[name] ? { keyUsage: keyUsages[name] } : {}),
  }))
  const seed = {
    identities: [
      { ...ids.admin, allow: ['*'], keys: ['*'] },
      { ...ids.build, allow: ['GenerateDataKey', 'Encrypt'], keys: ['*'] },
      { ...ids.runtime, allow: ['Decrypt', 'AsymmetricRsaDecrypt', 'AsymmetricSm2Decrypt'], keys: ['*'] },
    ],
    keys,
  }
  const kms = await startTestKms({ dataDir, seed })
  await kms.close()
}

/**
 * Starts local-kms in its own process (its bin), so its CPU is never the benchmark process's. Options map to the
 * bin's flags: latencyMs → --latency-ms, throttleQps → --throttle-qps. `execArgv` e.g. for --cpu-prof.
 */
export async function spawnLocalKms(dataDir, { latencyMs = 0, throttleQps, execArgv = [] } = {}) {
  const args = ['--data-dir', dataDir]
  if (latencyMs) args.push('--latency-ms', String(latencyMs))
  if (throttleQps) args.push('--throttle-qps', String(throttleQps))
  const kms = await startLocalKmsProcess(args, { execArgv, timeoutMs: 120_000 })
  if (!isRunning(kms)) throw new Error(`local-kms exited (${kms.code}) before listening: ${kms.stderr.trim()}`)
  const auditLog = join(dataDir, 'audit.log')
  return {
    endpoint: kms.endpoint,
    pid: kms.child.pid,
    auditLog,
    /** Byte offset of the audit log's end: pass it to `entriesSince`. */
    mark: () => (existsSync(auditLog) ? statSync(auditLog).size : 0),
    /** Audit entries appended after `offset` (JSON lines {time, requestId, secretId, action, keyId, code}). */
    entriesSince: (offset) => readAudit(auditLog, offset),
    /** user+system CPU seconds of the server process so far (Linux /proc). */
    cpuSeconds: () => processCpuSeconds(kms.child.pid),
    close: () => kms.stop(),
  }
}

/** Counts audit entries by `action` or `action:code` for one key. */
export function countCalls(entries, keyId) {
  const counts = {}
  for (const e of entries) {
    if (keyId && e.keyId !== keyId) continue
    const name = e.code === 'OK' ? e.action : `${e.action}:${e.code}`
    counts[name] = (counts[name] ?? 0) + 1
  }
  return counts
}

export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}
