import { type BigIntStats, readdirSync, realpathSync, statSync } from 'node:fs'
import { join, sep } from 'node:path'

/**
 * Directories never walked when looking for secret files: dependencies (pnpm hard-links every file there, so their
 * link counts say nothing) and git's object store.
 */
const skippedDirs = new Set(['node_modules', '.git'])
/** A walk of a pathological tree stops here; lookups past it still check include/exclude and real paths. */
const maxEntries = 200_000

/** What the index needs from the plugin context. */
export interface SecretMatcher {
  /** The project root (where secret files are looked for). */
  readonly root: string
  /** Whether a path is a secret file of the plugin (include/exclude). */
  matches(path: string): boolean
}

export interface SecretIndex {
  /**
   * The secret file a path is another name of, or undefined: the path itself or its real path matches include/exclude
   * (symlinks, symlinked dirs), or it is a hard link of a secret file under the root (same device and inode).
   */
  secretFileOf(path: string): string | undefined
}

const inodeKey = (s: BigIntStats): string => `${s.dev}:${s.ino}`

function statOf(path: string): BigIntStats | undefined {
  try {
    return statSync(path, { bigint: true, throwIfNoEntry: false })
  } catch {
    return undefined
  }
}

function realpathOf(path: string): string | undefined {
  try {
    return realpathSync.native(path)
  } catch {
    return undefined
  }
}

/**
 * Calls `visit` for every file under `root`, dependencies and git objects skipped. Symlinks (to files or dirs) are not
 * followed: they go to `onSymlink`, if given; elsewhere what they point at is checked by real path instead.
 */
export function walkProject(
  root: string,
  visit: (path: string, name: string) => void,
  onSymlink?: (path: string) => void,
): void {
  const dirs = [root]
  let seen = 0
  while (dirs.length > 0 && seen < maxEntries) {
    const dir = dirs.pop()!
    let entries: { name: string; isDirectory(): boolean; isFile(): boolean; isSymbolicLink(): boolean }[]
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch {
      continue
    }
    seen += entries.length
    for (const entry of entries) {
      const path = join(dir, entry.name)
      if (entry.isDirectory() && !skippedDirs.has(entry.name)) dirs.push(path)
      else if (entry.isFile()) visit(path, entry.name)
      else if (entry.isSymbolicLink()) onSymlink?.(path)
    }
  }
}

/** Secret files under `root` by inode. */
function scanSecretInodes(root: string, matches: (path: string) => boolean): Map<string, string> {
  const found = new Map<string, string>()
  walkProject(root, (path) => {
    const stats = matches(path) ? statOf(path) : undefined
    if (stats) found.set(inodeKey(stats), path)
  })
  return found
}

const inDependencies = (path: string): boolean => path.split(sep).some((part) => skippedDirs.has(part))

/**
 * Finds the secret file behind any name of it. A hard link has a path of its own that include/exclude cannot see, so
 * files with more than one link are looked up by inode among the secret files under the root. The root is walked
 * only when such a file is not known yet — on first use and whenever a link was added since (a new link changes
 * the file's ctime) — so a secret or link created after the dev server started is found without a file watcher.
 */
export function createSecretIndex(ctx: SecretMatcher): SecretIndex {
  let inodes = new Map<string, string>()
  /** Multiply-linked files known not to be secrets, keyed by inode and ctime. */
  const plain = new Set<string>()

  function secretByInode(stats: BigIntStats, path: string): string | undefined {
    const key = inodeKey(stats)
    const known = inodes.get(key)
    // The recorded name may be gone (and its inode reused): only a secret file still there counts.
    const current = known === undefined ? undefined : statOf(known)
    if (known !== undefined && current !== undefined && inodeKey(current) === key && ctx.matches(known)) return known
    const version = `${key}:${stats.ctimeNs}`
    if (plain.has(version) || inDependencies(path)) return undefined
    inodes = scanSecretInodes(ctx.root, (p) => ctx.matches(p))
    const found = inodes.get(key)
    if (found === undefined) plain.add(version)
    return found
  }

  return {
    secretFileOf(path) {
      if (ctx.matches(path)) return path
      const real = realpathOf(path)
      if (real === undefined) return undefined
      if (real !== path && ctx.matches(real)) return real
      const stats = statOf(real)
      if (stats === undefined || !stats.isFile() || stats.nlink < 2n) return undefined
      return secretByInode(stats, real)
    },
  }
}
