import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'
import { LocalKmsError } from '../server/local-kms-error.js'

/** What the default location depends on; injected so every platform's rule is testable anywhere. */
export interface UserDirs {
  platform: NodeJS.Platform
  env: Record<string, string | undefined>
  /** '' when there is none. */
  homedir: string
}

function currentUserDirs(): UserDirs {
  let home = ''
  try {
    home = homedir()
  } catch {
    // No HOME and no passwd entry (some containers): the caller gets ERR_LOCAL_KMS_OPTIONS below.
  }
  return { platform: process.platform, env: process.env, homedir: home }
}

/**
 * The per-user state directory of local-kms, outside every project so no dev server serves it and no commit picks
 * it up: `$XDG_STATE_HOME/kms-secrets/local-kms` (else `~/.local/state/…`, XDG Base Directory spec), on macOS
 * `~/Library/Application Support/kms-secrets/local-kms`, on Windows `%LOCALAPPDATA%\kms-secrets\local-kms`.
 */
export function defaultDataDir(dirs: UserDirs = currentUserDirs()): string {
  const p = dirs.platform === 'win32' ? path.win32 : path.posix
  const env = (name: string) => {
    const value = dirs.env[name]
    // The XDG spec tells to ignore relative paths; the same holds for LOCALAPPDATA.
    return value && p.isAbsolute(value) ? value : undefined
  }
  const home = dirs.homedir
  const base =
    dirs.platform === 'win32'
      ? (env('LOCALAPPDATA') ?? (home && p.join(home, 'AppData', 'Local')))
      : dirs.platform === 'darwin'
        ? home && p.join(home, 'Library', 'Application Support')
        : (env('XDG_STATE_HOME') ?? (home && p.join(home, '.local', 'state')))
  if (!base) {
    throw new LocalKmsError(
      'ERR_LOCAL_KMS_OPTIONS',
      'local-kms cannot find a per-user state directory for its data dir (no home directory).',
      'Pass --data-dir (dataDir) with a directory outside your project.',
    )
  }
  return p.join(base, 'kms-secrets', 'local-kms')
}

/** Files that mark the root of a project a dev server may serve or a commit may include. */
export const projectMarkers = [
  'package.json',
  '.git',
  'kms-secrets.json',
  ...['js', 'mjs', 'cjs', 'ts', 'mts', 'cts'].map((ext) => `vite.config.${ext}`),
] as const

export interface EnclosingProject {
  dir: string
  marker: string
}

/**
 * The nearest directory at or above `dataDir` holding a project marker. The walk stops below the home directory: a
 * dotfiles `.git` or a stray `package.json` in `~` does not make the per-user state dir part of a project.
 */
export function enclosingProject(
  dataDir: string,
  home: string = currentUserDirs().homedir,
  exists: (file: string) => boolean = existsSync,
): EnclosingProject | undefined {
  const stop = home ? path.resolve(home) : undefined
  for (let dir = path.resolve(dataDir); dir !== stop; ) {
    const marker = projectMarkers.find((name) => exists(path.join(dir, name)))
    if (marker) return { dir, marker }
    const parent = path.dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
  return undefined
}
