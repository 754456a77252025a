import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { type AuditEntry, type LocalKms, type LocalKmsOptions, startLocalKms } from '@kms-secrets/local-kms'

/** The local-kms bin (it runs the package's built dist). */
export const localKmsBin: string = join(
  dirname(createRequire(import.meta.url).resolve('@kms-secrets/local-kms/package.json')),
  'bin',
  'local-kms.mjs',
)

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

export type TestKmsOptions = Partial<LocalKmsOptions> & {
  /** Prefix of the fresh temp data dir (when `dataDir` is not given). */
  prefix?: string
  /** The starter to use: local-kms's own tests pass the one from its sources. Default: the package's. */
  start?: (o: LocalKmsOptions) => Promise<LocalKms>
}

export function makeDataDir(prefix = 'kms-test'): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`))
}

/** An in-process local-kms on 127.0.0.1, a free port (unless given), quiet, in `dataDir` (a fresh temp dir by default). */
export async function startTestKms(options: TestKmsOptions = {}): Promise<TestKms> {
  const { prefix, start = startLocalKms, ...rest } = options
  const dataDir = rest.dataDir ?? makeDataDir(prefix)
  const kms = await start({ host: '127.0.0.1', port: 0, quiet: true, ...rest, dataDir }).catch((e: unknown) => {
    if (rest.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true })
    throw e
  })
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

export interface KmsChild {
  child: ChildProcessWithoutNullStreams
  /** The first stdout line. */
  firstLine: Promise<string>
  /** Resolves once the bin printed its listening line; rejects (with its stderr) if it exits before. */
  ready: Promise<{ port: number; endpoint: string }>
  stdout(): string
  stderr(): string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** SIGKILL (kill -9) of this child only; waits for the exit. */
  kill9(): Promise<void>
  /** SIGTERM; waits for the exit. */
  stop(): Promise<void>
}

export interface SpawnKmsOptions {
  /** Added to an environment of only PATH (no real TENCENTCLOUD_* credentials or proxies reach the server). */
  env?: Record<string, string>
  cwd?: string
  /** Node flags before the bin (e.g. --cpu-prof). */
  execArgv?: string[]
  /** SIGKILL if not listening by then. Default: never. */
  timeoutMs?: number
}

const listeningRE = /^local-kms listening on (http:\/\/127\.0\.0\.1:(\d+))$/m

/** Spawns the real local-kms bin with `args` (its own process, so its CPU is never the test's). */
export function spawnLocalKms(args: string[], o: SpawnKmsOptions = {}): KmsChild {
  const child = spawn(process.execPath, [...(o.execArgv ?? []), localKmsBin, ...args], {
    stdio: 'pipe',
    env: { PATH: process.env.PATH ?? '', ...o.env },
    cwd: o.cwd,
  })
  child.stdin.end()
  let out = ''
  let err = ''
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  const early = () => exited.then(({ code, signal }) => new Error(`local-kms exited (${code ?? signal}): ${err}`))
  const line = (re: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const onData = () => {
        const m = re.exec(out)
        if (m) resolve(m)
      }
      child.stdout.on('data', onData)
      early().then(reject)
    })
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d
  })
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d
  })
  const timer = o.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), o.timeoutMs)
  const firstLine = line(/^(.*)\n/).then((m) => m[1]!)
  const ready = line(listeningRE).then((m) => {
    clearTimeout(timer)
    return { endpoint: m[1]!, port: Number(m[2]) }
  })
  exited.then(() => clearTimeout(timer))
  firstLine.catch(() => undefined)
  ready.catch(() => undefined)
  const signal = async (s: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(s)
    await exited
  }
  return {
    child,
    firstLine,
    ready,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill9: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
  }
}

export type { AuditEntry }

/** local-kms's audit log (JSON lines), from byte `offset` on; [] while it does not exist. */
export function readAudit(path: string, offset = 0): AuditEntry[] {
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
    .map((l) => JSON.parse(l) as AuditEntry)
}

/** Env for a child process that talks to KMS at `endpoint` as `who` — and nothing else from the test's environment. */
export function kmsEnv(
  endpoint: string,
  who: { secretId: string; secretKey: string; token?: string } | undefined,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
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

export interface RunningKms extends KmsChild {
  port: number
  endpoint: string
}

export interface FailedKms {
  code: number | null
  stdout: string
  stderr: string
}

/** Spawns the bin on a free port (`--port 0 --quiet` first) and waits: running, or how it failed to start. */
export async function startLocalKmsProcess(args: string[], o: SpawnKmsOptions = {}): Promise<RunningKms | FailedKms> {
  const kms = spawnLocalKms(['--port', '0', '--quiet', ...args], { timeoutMs: 20_000, ...o })
  try {
    return { ...kms, ...(await kms.ready) }
  } catch {
    const { code } = await kms.exited
    return { code, stdout: kms.stdout(), stderr: kms.stderr() }
  }
}

export function isRunning(p: RunningKms | FailedKms): p is RunningKms {
  return 'port' in p
}
