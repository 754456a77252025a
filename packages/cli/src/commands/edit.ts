import { spawn } from 'node:child_process'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import process from 'node:process'
import {
  decodePayload,
  type Envelope,
  encodeEnvelope,
  type KmsProvider,
  openEnvelope,
  parseSecretFile,
  serializeSecret,
} from '@kms-secrets/core'
import { KmsSecretsError } from '@kms-secrets/core/errors'
import { resolveEditor } from '../util/command-line.js'
import { usageError } from '../util/errors.js'
import { readText, writeAtomic } from '../util/fs.js'
import { createProviderPool, type KmsFlags } from '../util/kms.js'
import { createPrivateDir } from '../util/private-dir.js'
import { note } from '../util/report.js'
import { resealLike } from '../util/reseal.js'
import { readEnvelope } from '../util/secret.js'

export interface EditOptions extends KmsFlags {
  file: string
  allowDisk: boolean
  /** Only for direct-mode envelopes wrapped without a KeyId. */
  keyId: string | undefined
}

/** Runs the editor on `file`; resolves when it exits 0, otherwise ERR_CLI_EDITOR. Kills it if we are interrupted. */
function runEditor(file: string): Promise<void> {
  const [cmd, ...args] = resolveEditor()
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, [...args, file], { stdio: 'inherit' })
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
    child.on('exit', (code, signal) => {
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
async function plaintextOf(env: Envelope, provider: KmsProvider, file: string): Promise<string> {
  const bytes = await openEnvelope(env, { provider, file })
  try {
    return serializeSecret(decodePayload(bytes, env.format), env.format)
  } finally {
    bytes.fill(0)
  }
}

/** Parses the edited text, re-seals it like `env` and replaces `file` unless it changed on disk meanwhile. */
async function resealAndReplace(
  file: string,
  original: string,
  env: Envelope,
  edited: string,
  provider: KmsProvider,
  keyId: string,
) {
  const parsed = parseSecretFile(edited, env.format, file)
  try {
    const next = await resealLike(env, parsed, provider, keyId)
    if ((await readText(file)) !== original) {
      throw new KmsSecretsError(
        'ERR_CLI_IO',
        `${file} changed on disk while it was being edited; the edit was dropped.`,
        'Run edit again.',
      )
    }
    await writeAtomic(file, encodeEnvelope(next))
  } finally {
    parsed.payload.fill(0)
  }
}

/**
 * `kms-secrets edit`: decrypt into a 0600 file in a private 0700 RAM-backed directory, run $VISUAL/$EDITOR, re-seal if
 * changed (same key, context and id), replace the sealed file atomically. The directory is removed in every case.
 */
export async function editCommand(opts: EditOptions): Promise<number> {
  if (!opts.file) throw usageError('edit needs a file.')
  const original = await readText(opts.file)
  const env = await readEnvelope(opts.file)
  const keyId = opts.keyId ?? env.kms.keyId
  if (!keyId) throw usageError(`${opts.file} does not record its KeyId; pass --key-id <KeyId> to re-seal it.`)
  const provider = createProviderPool(opts)(env.kms.region)
  /* Precondition: a RAM-backed place for the plaintext exists (or --allow-disk), checked before any KMS call. */
  const scratch = createPrivateDir(`editing ${opts.file}`, opts.allowDisk)
  try {
    const before = await plaintextOf(env, provider, opts.file)
    const tmp = path.join(scratch.dir, path.basename(opts.file))
    await fsp.writeFile(tmp, before, { encoding: 'utf8', mode: 0o600, flag: 'wx' })
    await runEditor(tmp)
    const after = await fsp.readFile(tmp, 'utf8')
    scratch.remove()
    if (after === before) {
      note(`${opts.file}: no changes`)
      return 0
    }
    await resealAndReplace(opts.file, original, env, after, provider, keyId)
    note(`${opts.file}: re-sealed with key ${keyId}`)
    return 0
  } finally {
    scratch.remove()
  }
}
