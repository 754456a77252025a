import { mkdir } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { basename, dirname, join } from 'node:path'
import { AuditLog } from '../audit/audit-log.js'
import type { Identity } from '../auth/identity.js'
import { KeyStore } from '../keys/key-store.js'
import { applySeed } from '../seed/apply-seed.js'
import { loadSeed } from '../seed/seed.js'
import { auditLogFileName, loadDataDir } from '../storage/data-dir.js'
import { defaultDataDir, enclosingProject } from '../storage/data-dir-location.js'
import { acquireDataDirLock } from '../storage/data-dir-lock.js'
import { FaultInjector } from './faults.js'
import { createKmsHttpServer } from './http-server.js'
import { type LocalKmsOptions, type ResolvedOptions, resolveOptions } from './options.js'
import type { ServerState } from './pipeline.js'
import { ServerStats, type StatsSnapshot } from './stats.js'

/** A running local-kms. */
export interface LocalKms {
  /** `http://<host>:<port>` to give clients (127.0.0.1 / [::1] when bound to a wildcard address). */
  endpoint: string
  port: number
  host: string
  dataDir: string
  /** Counters of answered codes and injected faults since start. */
  stats(): StatsSnapshot
  /** Stops listening, ends every open connection and releases the data dir. */
  close(): Promise<void>
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

async function openState(options: ResolvedOptions): Promise<ServerState> {
  const { seed, path: seedPath } = await loadSeed(options.seed)
  const extra = seedPath && dirname(seedPath) === options.dataDir ? [basename(seedPath)] : []
  const loaded = await loadDataDir(options.dataDir, extra)
  const store = new KeyStore(options.dataDir, loaded.keys)
  const now = Math.floor(options.clock() / 1000)
  const applied = await applySeed(options.dataDir, store, loaded.identities, seed, now)
  if (applied.adminIdentityFile && !options.quiet) {
    options.log(`local-kms: no identity was configured; admin credentials written to ${applied.adminIdentityFile}`)
  }
  return {
    options,
    store,
    identities: new Map<string, Identity>(applied.identities.map((i) => [i.secretId, i])),
    audit: new AuditLog(join(options.dataDir, auditLogFileName)),
    faults: new FaultInjector(options.faults, options.clock()),
    stats: new ServerStats(),
  }
}

/**
 * One line when the data dir lies inside a project: a dev server serving the project root (vite) or a commit would
 * hand out its keys and credentials. A warning, not an error: a throwaway dir in a test fixture is legitimate.
 */
function warnIfInsideProject(options: ResolvedOptions): void {
  const project = enclosingProject(options.dataDir)
  if (!project) return
  let instead = 'a directory outside the project'
  try {
    const fallback = defaultDataDir()
    // The default itself can lie in a project (XDG_STATE_HOME or HOME inside one): then it is no advice.
    if (!enclosingProject(fallback)) {
      instead = `the default data dir ${fallback} (no --data-dir) or another directory outside the project`
    }
  } catch {
    // No home directory: only the generic advice.
  }
  options.log(
    `local-kms: warning: data dir ${options.dataDir} is inside the project ${project.dir} (it has ${project.marker}), ` +
      `where a dev server or a commit can expose its keys and credentials; use ${instead}.`,
  )
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

/** Idempotent shutdown: stop accepting, end open (keep-alive / stalled) connections, drain writes, unlock. */
function createClose(server: Server, state: ServerState, release: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined
  return () => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }).then(async () => {
      await state.store.exclusive(() => undefined)
      state.audit.close()
      await release()
    })
    return closing
  }
}

/**
 * Starts local-kms: a Tencent Cloud KMS (API 3.0, 2019-01-18) emulator over HTTP.
 *
 * @example
 * const kms = await startLocalKms({ port: 0, dataDir: defaultDataDir(), seed: 'kms-seed.json' })
 * // point the Tencent SDK at kms.endpoint … then
 * await kms.close()
 */
export async function startLocalKms(options: LocalKmsOptions): Promise<LocalKms> {
  const resolved = resolveOptions(options)
  warnIfInsideProject(resolved)
  await mkdir(resolved.dataDir, { recursive: true, mode: 0o700 })
  const release = await acquireDataDirLock(resolved.dataDir)
  let state: ServerState
  try {
    state = await openState(resolved)
  } catch (error) {
    await release()
    throw error
  }
  const server = createKmsHttpServer(state)
  try {
    await listen(server, resolved.port, resolved.host)
  } catch (error) {
    state.audit.close()
    await release()
    throw error
  }
  const port = (server.address() as AddressInfo).port
  return {
    endpoint: `http://${urlHost(resolved.host)}:${port}`,
    port,
    host: resolved.host,
    dataDir: resolved.dataDir,
    stats: () => state.stats.snapshot(),
    close: createClose(server, state, release),
  }
}
