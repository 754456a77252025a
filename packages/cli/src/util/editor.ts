import { realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import { resolveEditor } from './argv.js'

/**
 * How `edit` starts known editors so that they keep no copy of the plaintext outside the private RAM-backed
 * directory: no swap, backup, undo or history files, no lock files elsewhere. Unknown editors get a warning.
 */
export type EditorKind = 'vim' | 'emacs' | 'nano' | 'vscode'

export interface EditorLaunch {
  /** The command line to spawn, without the file to edit (it goes last). */
  command: string[]
  kind: EditorKind | undefined
  /** What the user should know before the plaintext is opened (stderr), if anything. */
  warning: string | undefined
}

// vim, nvim, gvim, mvim, rvim, vimx, view and Debian's vim.basic/vim.tiny/vim.gtk3…; not `vi` itself (nvi, busybox).
const vimRE = /^(?:n?vim|[gmr]vim|vimx|view)(?:\.[\w-]+)?$/
// emacs, emacs-nox, emacs29; not emacsclient (its --eval would change the settings of the running server).
const emacsRE = /^emacs(?:-[\w.]+|\d[\w.]*)?$/
const nanoRE = /^nano$/
const vscodeRE = /^(?:code|code-insiders|codium|vscodium|cursor|windsurf)$/

/**
 * vim/nvim: -n no swap file, -i NONE no viminfo/ShaDa (registers and history), and after the user's vimrc
 * (`-c` runs last, so it wins over an autocommand or vimrc) no backup, write-backup, undo file or swap file.
 * emacs: `--eval` runs after the init file and before the file is visited: no backup~, #auto-save#, .#lock.
 * nano: backups (-B/backupdir) and history/position logs come only from nanorc files, so ignore them.
 */
const hardening: Record<Exclude<EditorKind, 'vscode'>, readonly string[]> = {
  vim: ['-n', '-i', 'NONE', '-c', 'set nobackup nowritebackup noundofile noswapfile'],
  emacs: ['--eval', '(setq make-backup-files nil backup-inhibited t auto-save-default nil create-lockfiles nil)'],
  nano: ['--ignorercfiles'],
}

function classify(name: string): EditorKind | undefined {
  const base = name.replace(/\.exe$/i, '')
  if (vimRE.test(base)) return 'vim'
  if (emacsRE.test(base)) return 'emacs'
  if (nanoRE.test(base)) return 'nano'
  if (vscodeRE.test(base)) return 'vscode'
  return undefined
}

/** The real file behind a command name (PATH lookup, then symlinks such as vi → /etc/alternatives/vi → vim.basic). */
function realCommand(cmd: string, env: NodeJS.ProcessEnv): string | undefined {
  const dirs = cmd.includes('/') ? [''] : (env.PATH ?? '').split(path.delimiter).filter(Boolean)
  for (const dir of dirs) {
    const candidate = dir ? path.join(dir, cmd) : cmd
    try {
      if (statSync(candidate).isFile()) return realpathSync(candidate)
    } catch {}
  }
  return undefined
}

/** The kind of editor `cmd` starts: by its own name, else by the file it resolves to (`vi`, `editor`). */
export function editorKind(cmd: string, env: NodeJS.ProcessEnv): EditorKind | undefined {
  const byName = classify(path.basename(cmd))
  if (byName) return byName
  const real = realCommand(cmd, env)
  return real ? classify(path.basename(real)) : undefined
}

/** nano options that would write a backup copy (possibly into another directory). */
function withoutNanoBackups(args: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '-B' || a === '--backup' || a.startsWith('--backupdir=')) continue
    if (a === '-C' || a === '--backupdir') i++
    else out.push(a)
  }
  return out
}

/** `options` after the user's own (so they win), but before a `--` that would make them file names. */
function withOptions(args: readonly string[], options: readonly string[]): string[] {
  const end = args.indexOf('--')
  return end === -1 ? [...args, ...options] : [...args.slice(0, end), ...options, ...args.slice(end)]
}

/** $VISUAL / $EDITOR with the options that keep the plaintext where `edit` put it, plus any warning. */
export function resolveEditorLaunch(env: NodeJS.ProcessEnv): EditorLaunch {
  const [cmd, ...args] = resolveEditor(env)
  const kind = editorKind(cmd!, env)
  if (kind === 'vscode') {
    const wait = args.includes('--wait') || args.includes('-w') ? [] : ['--wait']
    return {
      command: [cmd!, ...args, ...wait],
      kind,
      warning: `${cmd} keeps "Local History" copies of saved files in its user data directory (on disk). Set "workbench.localHistory.enabled": false, or use vim, nvim, emacs or nano for secrets.`,
    }
  }
  if (kind === 'nano')
    return { command: [cmd!, ...withOptions(withoutNanoBackups(args), hardening.nano)], kind, warning: undefined }
  if (kind) return { command: [cmd!, ...withOptions(args, hardening[kind])], kind, warning: undefined }
  return {
    command: [cmd!, ...args],
    kind,
    warning: `the editor "${cmd}" is not one kms-secrets knows how to start without swap, backup, undo or history files; it may write copies of the plaintext outside the private directory (to disk). Prefer vim, nvim, emacs or nano (set $VISUAL or $EDITOR).`,
  }
}
