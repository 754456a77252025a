import { readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { walkProject } from './secret-index'

/**
 * local-kms marks its data dir — identities with their secret keys, every CMK's key material — with this file, whose
 * JSON has this `format` (packages/local-kms/src/storage/data-dir.ts, `markerFileName`/`markerFormat`). Restated
 * here because unplugin may not depend on local-kms (STYLE.md §2); a change there must change these too.
 */
export const localKmsMarkerName = 'local-kms.json'
export const localKmsMarkerFormat = 'local-kms/data-dir@1'

/** The marker is a few hundred bytes; anything much larger is some other file of the same name. */
const maxMarkerBytes = 64 * 1024

/** Whether `dir` holds a local-kms data-dir marker. Unreadable markers count (a 0600 file of another user). */
export function isLocalKmsDataDir(dir: string): boolean {
  const marker = join(dir, localKmsMarkerName)
  let stats: ReturnType<typeof statSync>
  try {
    stats = statSync(marker, { throwIfNoEntry: false })
  } catch {
    return false // `dir` is a file (ENOTDIR) or not searchable
  }
  if (stats === undefined || !stats.isFile() || stats.size > maxMarkerBytes) return false
  let text: string
  try {
    text = readFileSync(marker, 'utf8')
  } catch {
    return true
  }
  try {
    return (JSON.parse(text) as { format?: unknown } | null)?.format === localKmsMarkerFormat
  } catch {
    return false
  }
}

/**
 * The local-kms data dir `path` is in (or is), looking at every ancestor up to the filesystem root. `known`: answers
 * per dir shared by the lookups of one pass over many files (their ancestors are mostly the same dirs).
 */
export function localKmsDataDirOf(path: string, known?: Map<string, boolean>): string | undefined {
  for (let dir = path, parent = dirname(dir); ; dir = parent, parent = dirname(dir)) {
    let isDataDir = known?.get(dir)
    if (isDataDir === undefined) {
      isDataDir = isLocalKmsDataDir(dir)
      known?.set(dir, isDataDir)
    }
    if (isDataDir) return dir
    if (parent === dir) return undefined
  }
}

/** Every local-kms data dir under `root` (dependencies skipped). */
export function findLocalKmsDataDirs(root: string): string[] {
  const dirs: string[] = []
  walkProject(root, (path, name) => {
    if (name === localKmsMarkerName && isLocalKmsDataDir(dirname(path))) dirs.push(dirname(path))
  })
  return dirs
}
