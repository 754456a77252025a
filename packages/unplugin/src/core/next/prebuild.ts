import { readFileSync, statSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import process from 'node:process'
import { secretFilesUnder } from '../asset-guard'
import { createContext, type SecretsContext } from '../context'
import { leakError } from '../leak'
import type { Options } from '../options'
import { toBundlerError } from '../report'
import { walkProject } from '../secret-index'

/** A generated secret module, and the file state it was generated from (a changed file is not served stale). */
export interface Prebuilt {
  code: string
  /** mtime in ns, as a string: a float in ms does not survive the JSON trip to the loader process exactly. */
  mtime: string
  size: number
}

export interface PrebuiltBuild {
  /** Absolute path → generated module (ciphertext only). */
  modules: Record<string, Prebuilt>
  /** Holds the plaintext values sealed here until the leak check has run. */
  ctx: SecretsContext
}

/** What identifies the content a module was generated from, without hashing the plaintext. */
export function fileVersion(path: string): { mtime: string; size: number } {
  const stats = statSync(path, { bigint: true })
  return { mtime: String(stats.mtimeNs), size: Number(stats.size) }
}

/** Next loads its config several times per build: seal once per process and options. */
const builds = new Map<string, Promise<PrebuiltBuild>>()

/**
 * The build's child processes (page-data workers) load the config again; they compile nothing, so they must not seal
 * (each would call GenerateDataKey). The process that sealed leaves `{"pid":…,"root":…}` here; children inherit it.
 * The variable only counts in a descendant of that process building the same root (`sealedByAncestor`): one a
 * user's shell or another tool happens to carry must not skip the prebuild and with it the leak scan.
 */
export const sealerPidVar = 'KMS_SECRETS_NEXT_SEALER_PID'

/** The marker a sealing process leaves for its children. */
export function sealerMarker(pid: number, root: string): string {
  return JSON.stringify({ pid, root })
}

/**
 * The chain of parent pids of this process, nearest first: from /proc on Linux (any depth up to 32, so a worker's
 * worker counts), elsewhere only the parent.
 */
export function ancestorPids(): number[] {
  const pids: number[] = []
  let pid = process.pid
  for (let depth = 0; depth < 32; depth++) {
    let parent: number
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so the fields after its last `)` are read.
      parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    } catch {
      if (pid === process.pid) return [process.ppid]
      break
    }
    if (!Number.isInteger(parent) || parent <= 0) break
    pids.push(parent)
    pid = parent
  }
  return pids
}

/**
 * Whether `marker` (the inherited variable) names a sealing process that is an ancestor of this one and built the
 * same root: then this is a child of that build and must not seal. Anything else — unset, malformed, a bare pid
 * (the old format), this process, an unrelated or stale pid, another project's build — is no sealer of ours.
 */
export function sealedByAncestor(
  marker: string | undefined,
  root: string,
  ancestors: () => readonly number[] = ancestorPids,
): boolean {
  if (marker === undefined) return false
  let parsed: unknown
  try {
    parsed = JSON.parse(marker)
  } catch {
    return false
  }
  const { pid, root: sealedRoot } = (parsed ?? {}) as { pid?: unknown; root?: unknown }
  if (!Number.isInteger(pid) || pid === process.pid || sealedRoot !== root) return false
  return ancestors().includes(pid as number)
}

/** Next's output dir holds no secret file to seal (secretFilesUnder already skips node_modules and .git). */
const outputDirRE = /(^|[\\/])\.next([\\/]|$)/

/** The project's secret files (absolute paths, sorted), Next's output dir left out. */
export function nextSecretFiles(ctx: SecretsContext): string[] {
  return secretFilesUnder(ctx)
    .filter((path) => !outputDirRE.test(relative(ctx.root, path)))
    .sort()
}

async function prebuild(plugin: Options): Promise<PrebuiltBuild> {
  const ctx = createContext(plugin)
  ctx.buildStart()
  const modules: Record<string, Prebuilt> = {}
  try {
    for (const path of nextSecretFiles(ctx)) {
      const { code, warnings } = await ctx.load(path, { sync: false })
      for (const warning of warnings) console.warn(`unplugin-kms-secrets: ${warning} (${ctx.relativeId(path)})`)
      modules[path] = { code, ...fileVersion(path) }
    }
  } catch (error) {
    ctx.endLeakCheck()
    throw toBundlerError(error)
  } finally {
    // The data key is zeroed now: every file is sealed, nothing else in this build needs it.
    ctx.buildEnd()
  }
  return { modules, ctx }
}

/**
 * Every secret file under the project root as its generated module, sealed with at most one GenerateDataKey per CMK
 * (none when all files are sealed on disk). Undefined in a child process of the build that sealed.
 */
export function prebuildSecretModules(plugin: Options): Promise<PrebuiltBuild> | undefined {
  const root = resolve(plugin.root ?? process.cwd())
  if (sealedByAncestor(process.env[sealerPidVar], root)) return undefined
  process.env[sealerPidVar] = sealerMarker(process.pid, root)
  const key = JSON.stringify(plugin)
  let build = builds.get(key)
  if (build === undefined) {
    build = prebuild(plugin)
    builds.set(key, build)
  }
  return build
}

/** The end-of-build leak check for Turbopack: every file Next wrote under distDir, searched for sealed values. */
export function scanDistForLeaks(build: PrebuiltBuild, distDir: string): void {
  const { ctx } = build
  if (!ctx.options.leakCheck) return
  const files: string[] = []
  walkProject(distDir, (path) => files.push(path))
  function* assets() {
    for (const path of files) yield { name: relative(distDir, path), content: new Uint8Array(readFileSync(path)) }
  }
  const hits = ctx.scanAssets(assets())
  ctx.endLeakCheck()
  if (hits.length > 0) throw toBundlerError(leakError(hits))
}
