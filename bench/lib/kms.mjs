import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startLocalKms } from '@kms-secrets/local-kms'

const localKmsBin = fileURLToPath(new URL('../node_modules/@kms-secrets/local-kms/bin/local-kms.mjs', import.meta.url))

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
  const kms = await startLocalKms({ port: 0, dataDir, seed, quiet: true })
  await kms.close()
}

/**
 * Starts local-kms in its own process (its bin), so its CPU is never the benchmark process's. Options map to the
 * bin's flags: latencyMs → --latency-ms, throttleQps → --throttle-qps. `execArgv` e.g. for --cpu-prof.
 */
export function spawnLocalKms(dataDir, { latencyMs = 0, throttleQps, execArgv = [] } = {}) {
  const args = [...execArgv, localKmsBin, '--port', '0', '--data-dir', dataDir, '--quiet']
  if (latencyMs) args.push('--latency-ms', String(latencyMs))
  if (throttleQps) args.push('--throttle-qps', String(throttleQps))
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH } })
  let stderr = ''
  child.stderr.on('data', (d) => {
    stderr += d
  })
  return new Promise((resolve, reject) => {
    let out = ''
    const onData = (d) => {
      out += d
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (!m) return
      child.stdout.off('data', onData)
      resolve(handle(child, m[1], dataDir))
    }
    child.stdout.on('data', onData)
    child.once('exit', (code) => reject(new Error(`local-kms exited (${code}) before listening: ${stderr.trim()}`)))
  })
}

function handle(child, endpoint, dataDir) {
  const auditLog = join(dataDir, 'audit.log')
  return {
    endpoint,
    pid: child.pid,
    auditLog,
    /** Byte offset of the audit log's end: pass it to `entriesSince`. */
    mark: () => (existsSync(auditLog) ? statSync(auditLog).size : 0),
    entriesSince: (offset) => readAuditFrom(auditLog, offset),
    /** user+system CPU seconds of the server process so far (Linux /proc). */
    cpuSeconds: () => processCpuSeconds(child.pid),
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

/** Audit entries appended after `offset` (JSON lines {time, requestId, secretId, action, keyId, code}). */
export function readAuditFrom(path, offset) {
  if (!existsSync(path)) return []
  const size = statSync(path).size
  if (size <= offset) return []
  const buf = Buffer.alloc(size - offset)
  const fd = openSync(path, 'r')
  try {
    readSync(fd, buf, 0, buf.length, offset)
  } finally {
    closeSync(fd)
  }
  return buf
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l))
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

/** Env for a child process that talks to local-kms as `who`, and nothing else from our environment. */
export function kmsEnv(endpoint, who, extra = {}) {
  return {
    PATH: process.env.PATH,
    KMS_SECRETS_ENDPOINT: endpoint,
    TENCENTCLOUD_REGION: 'ap-guangzhou',
    TENCENTCLOUD_SECRET_ID: who.secretId,
    TENCENTCLOUD_SECRET_KEY: who.secretKey,
    ...extra,
  }
}
