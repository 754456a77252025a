import { spawn } from 'node:child_process'
import { promises as fsp, rmSync } from 'node:fs'
import path from 'node:path'
import process from 'node:process'
import {
  type AnyEnvelope,
  decodePayload,
  encodeEnvelope,
  type KmsProvider,
  openEnvelope,
  type ProjectKey,
  parseSecretFile,
  serializeSecret,
} from '@kms-secrets/core'
import { KmsSecretsError } from '@kms-secrets/core/errors'
import { resolveEditorLaunch } from '../util/editor.js'
import { usageError } from '../util/errors.js'
import { readText, writeAtomic } from '../util/fs.js'
import { childStdio, connectChild, io } from '../util/io.js'
import { createProviderPool, type KmsFlags } from '../util/kms.js'
import { assertKeptEdit, createPrivateDir, type PrivateDir } from '../util/private-dir.js'
import { noProjectKey, projectKeyFor, verifyProjectKey } from '../util/project.js'
import { note, warn } from '../util/report.js'
import { resealLike } from '../util/reseal.js'
import { parseEnvelope } from '../util/secret.js'

export interface EditOptions extends KmsFlags {
  file: string
  allowDisk: boolean
  /** Only for direct-mode envelopes wrapped without a KeyId. */
  keyId: string | undefined
  /** A rejected edit kept by an earlier run: re-open it instead of decrypting. */
  resume: string | undefined
}

/** What re-sealing needs: the sealed file as read at the start, its envelope, the KMS provider and the CMK. */
interface Target {
  file: string
  original: string
  env: AnyEnvelope
  provider: KmsProvider
  keyId: string
  /** With a kms-secrets.json in reach: re-seal offline with its public key. */
  projectKey?: ProjectKey
  /** Checks the project key before re-sealing with it (`verifyProjectKey`). */
  verifyProject?: () => Promise<unknown>
}

/** Runs the editor on `file`; resolves when it exits 0, otherwise ERR_CLI_EDITOR. Kills it if we are interrupted. */
function runEditor(file: string): Promise<void> {
  const { env } = io()
  const { command, warning } = resolveEditorLaunch(env)
  const [cmd, ...args] = command
  if (warning) warn(warning)
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, [...args, file], { stdio: childStdio(), env })
    connectChild(child)
    const stop = () => child.kill('SIGTERM')
    process.once('exit', stop)
    const fail = (why: string, hint: string) =>
      reject(new KmsSecretsError('ERR_CLI_EDITOR', `The editor ${why}; nothing was changed.`, hint))
    child.on('error', (e: NodeJS.ErrnoException) =>
      fail(
        `"${cmd}" could not be started (${e.code ?? 'error'})`,
        'Set $VISUAL or $EDITOR to an editor that waits until you close the file (e.g. "code --wait").',
      ),
    )
    child.on('close', (code, signal) => {
      process.off('exit', stop)
      if (code === 0) resolve()
      else
        fail(
          signal ? `was killed by ${signal}` : `exited with code ${code}`,
          'Fix the editor or save and quit normally to keep the edit.',
        )
    })
  })
}

/** The plaintext of `env` in its file format (what the user edits); the payload bytes are zeroed. */
async function plaintextOf(env: AnyEnvelope, provider: KmsProvider, file: string): Promise<string> {
  const bytes = await openEnvelope(env, { provider, file })
  try {
    return serializeSecret(decodePayload(bytes, env.format), env.format)
  } finally {
    bytes.fill(0)
  }
}

/** Parses the edited text, re-seals it like `env` and replaces `file` unless it changed on disk meanwhile. */
async function resealAndReplace(t: Target, edited: string) {
  const parsed = parseSecretFile(edited, t.env.format, t.file)
  try {
    const next = await resealLike(t.env, parsed, t.provider, t.keyId, t.projectKey)
    if ((await readText(t.file)) !== t.original) {
      throw new KmsSecretsError(
        'ERR_CLI_IO',
        `${t.file} changed on disk while it was being edited; the edit was not applied.`,
        'Re-apply it with --resume (it then replaces the newer content), or discard it and run edit again.',
      )
    }
    await writeAtomic(t.file, encodeEnvelope(next))
  } finally {
    parsed.payload.fill(0)
  }
}

/** A word for a shell command line: bare when it is safe, else single-quoted. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`
}

/**
 * Re-seals the edited `tmp`; if that fails for any reason (parse error, validation, KMS, a concurrent change), the
 * edit is kept for `--resume` when its directory is RAM-backed, else removed: plaintext never stays on a disk.
 */
async function resealOrKeep(t: Target, scratch: PrivateDir, tmp: string, edited: string): Promise<void> {
  try {
    await resealAndReplace(t, edited)
  } catch (e) {
    if (!scratch.ramBacked) {
      warn(`the rejected edit of ${t.file} was discarded: its temp dir is not RAM-backed (--allow-disk).`)
      throw e
    }
    scratch.keep()
    warn(`kept the rejected edit of ${t.file} at ${tmp} (0600, in RAM; gone at reboot). ${t.file} is unchanged.`)
    note(`  fix it and re-seal: kms-secrets edit ${shellWord(t.file)} --resume ${shellWord(tmp)}`)
    note(`  or discard it:      rm -r ${shellWord(scratch.dir)}`)
    throw e
  }
}

/** `edit --resume`: the kept file is edited again in place and re-sealed; its directory goes once that worked. */
async function resumeEdit(t: Target, kept: string): Promise<number> {
  const dir = assertKeptEdit(kept)
  await t.verifyProject?.()
  await runEditor(kept)
  const scratch: PrivateDir = {
    dir,
    ramBacked: true,
    remove: () => rmSync(dir, { recursive: true, force: true }),
    keep() {},
  }
  await resealOrKeep(t, scratch, kept, await fsp.readFile(kept, 'utf8'))
  scratch.remove()
  note(`${t.file}: re-sealed with key ${t.keyId}`)
  return 0
}

/**
 * `kms-secrets edit`: decrypt into a 0600 file in a private 0700 RAM-backed directory, run $VISUAL/$EDITOR (known
 * editors without swap/backup/undo files; see util/editor.ts), re-seal if changed (same key, context and id), replace
 * the sealed file atomically. The directory is removed, except that a rejected edit stays there for `--resume`.
 */
export async function editCommand(opts: EditOptions): Promise<number> {
  if (!opts.file) throw usageError('edit needs a file.')
  const original = await readText(opts.file)
  const env = parseEnvelope(original, opts.file)
  const project = projectKeyFor(opts.file)
  if (env.mode === 'project' && !project) throw noProjectKey(opts.file)
  const keyId = project?.key.keyId ?? opts.keyId ?? env.kms.keyId
  if (!keyId) throw usageError(`${opts.file} does not record its KeyId; pass --key-id <KeyId> to re-seal it.`)
  const pool = createProviderPool(opts)
  const provider = pool(env.kms.region)
  const t: Target = { file: opts.file, original, env, provider, keyId, ...(project ? { projectKey: project.key } : {}) }
  // The open below proves the key when the file is of this project key; else (and for --resume, which opens
  // nothing) it is checked with one unwrap.
  let opened: AnyEnvelope | undefined
  if (project) t.verifyProject = () => verifyProjectKey(project, opened, pool)
  if (opts.resume !== undefined) return resumeEdit(t, opts.resume)
  /* Precondition: a RAM-backed place for the plaintext exists (or --allow-disk), checked before any KMS call. */
  const scratch = createPrivateDir(`editing ${opts.file}`, opts.allowDisk)
  try {
    const before = await plaintextOf(env, t.provider, opts.file)
    opened = env
    // Before the editor: a bad project key fails here, not after the user's edit.
    await t.verifyProject?.()
    const tmp = path.join(scratch.dir, path.basename(opts.file))
    await fsp.writeFile(tmp, before, { encoding: 'utf8', mode: 0o600, flag: 'wx' })
    await runEditor(tmp)
    const after = await fsp.readFile(tmp, 'utf8')
    if (after === before) {
      note(`${opts.file}: no changes`)
      return 0
    }
    await resealOrKeep(t, scratch, tmp, after)
    note(`${opts.file}: re-sealed with ${project ? `the project key ${project.path} (offline)` : `key ${keyId}`}`)
    return 0
  } finally {
    scratch.remove()
  }
}
