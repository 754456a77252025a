import { existsSync } from 'node:fs'
import { rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import process from 'node:process'
import {
  createProjectKey,
  createProjectKeyCache,
  encodeEnvelope,
  encodeProjectKey,
  findProjectKey,
  openEnvelope,
  type ProjectEnvelope,
  type ProjectKey,
  projectEnvelopeKms,
  projectKeyFingerprint,
  rewrapProjectKey,
  sealWithProjectKey,
} from '@kms-secrets/core'
import { usageError } from '../util/errors.js'
import { readText, writeAtomic, writeStdout } from '../util/fs.js'
import { createProviderPool, type KmsFlags } from '../util/kms.js'
import { readSecretFiles } from '../util/project.js'
import { note } from '../util/report.js'

export interface RotateProjectOptions extends KmsFlags {
  /** Files or directories; default the directory of kms-secrets.json (the whole project). */
  paths: string[]
  /** Re-wrap the same key pair under this CMK instead of making a new pair. */
  keyId: string | undefined
  json: boolean
}

/** The files sealed with this project key (fingerprint), with their envelopes. */
async function sealedWith(paths: string[], fingerprint: string) {
  const out: { file: string; env: ProjectEnvelope }[] = []
  for (const { file, env } of await readSecretFiles(paths)) {
    if (env?.mode === 'project' && env.kms.project === fingerprint) out.push({ file, env })
  }
  return out
}

/** Where the new project key waits while the files are rewritten (so no file is ever sealed to an unsaved key). */
const pendingPath = (projectFile: string) => `${projectFile}.next`

/**
 * Writes the rotation so that no file is ever sealed to a key that is not on disk: the new kms-secrets.json first to a
 * pending file, then the files, then the pending file renamed over kms-secrets.json. A failed write puts the files
 * already written back as they were and drops the pending key; only if that fails too does the pending key stay
 * (named in the error's note).
 */
async function commit(
  projectFile: string,
  projectText: string,
  files: readonly { file: string }[],
  texts: readonly string[],
): Promise<void> {
  const pending = pendingPath(projectFile)
  // With kms-secrets.json's own permission bits, as writing it in place would keep them.
  await writeAtomic(pending, projectText, (await stat(projectFile)).mode & 0o777)
  const written: { file: string; before: string }[] = []
  try {
    for (const [i, { file }] of files.entries()) {
      const before = await readText(file)
      await writeAtomic(file, texts[i]!)
      written.push({ file, before })
    }
  } catch (e) {
    try {
      for (const { file, before } of written) await writeAtomic(file, before)
      await rm(pending, { force: true })
    } catch {
      note(
        `${pending} keeps the new project key: ${written.length} file(s) are sealed with it. Move it over ${projectFile}.`,
      )
    }
    throw e
  }
  await rename(pending, projectFile)
}

/**
 * `kms-secrets rotate --project-key`: a NEW key pair under the same CMK, every file of the old one re-sealed in memory
 * (one unwrap of the old private key, then offline), written by `commit`. With `--key-id`: the SAME pair
 * re-wrapped under another CMK (symmetric → symmetric by ReEncrypt, no private key in this process); values are not
 * re-sealed, only each file's `kms` is rewritten.
 */
export async function rotateProjectCommand(opts: RotateProjectOptions): Promise<number> {
  const found = findProjectKey(process.cwd())
  if (!found) throw usageError('rotate --project-key needs a kms-secrets.json in this directory or above.')
  if (existsSync(pendingPath(found.path)))
    throw usageError(
      `${pendingPath(found.path)} exists: an earlier rotate --project-key stopped before it finished.`,
      `It holds the project key of any file whose envelope names its fingerprint: if some do, move it over ${path.basename(found.path)}, else delete it; then rotate again.`,
    )
  const old = found.key
  const fingerprint = projectKeyFingerprint(old)
  const files = await sealedWith(opts.paths.length ? opts.paths : [path.dirname(found.path)], fingerprint)
  const pool = createProviderPool(opts)
  let next: ProjectKey
  const texts: string[] = []
  if (opts.keyId) {
    next = await rewrapProjectKey(old, { provider: pool(old.region), keyId: opts.keyId })
    for (const { env } of files) texts.push(encodeEnvelope({ ...env, kms: projectEnvelopeKms(next) }))
  } else {
    const cache = createProjectKeyCache(pool)
    const payloads: Uint8Array[] = []
    try {
      for (const { file, env } of files)
        payloads.push(await openEnvelope(env, { provider: pool(env.kms.region), file, projectKeys: cache }))
      next = await createProjectKey({
        provider: pool(old.region),
        keyId: old.keyId,
        region: old.region,
        context: old.context,
      })
      for (const [i, { env }] of files.entries()) {
        const input = {
          id: env.id,
          format: env.format,
          payload: payloads[i]!,
          ...(env.shape ? { shape: env.shape } : {}),
        }
        texts.push(encodeEnvelope(await sealWithProjectKey(next, input)))
      }
    } finally {
      // Also when an open, createProjectKey or a seal failed part-way: no plaintext stays in memory.
      for (const p of payloads) p.fill(0)
      cache.dispose()
    }
  }
  await commit(found.path, encodeProjectKey(next), files, texts)
  const result = {
    projectKey: found.path,
    fingerprint: projectKeyFingerprint(next),
    keyId: next.keyId,
    files: files.map((f) => f.file),
  }
  if (opts.json) await writeStdout(`${JSON.stringify(result, null, 2)}\n`)
  else
    note(
      `${found.path}: ${opts.keyId ? `re-wrapped under ${next.keyId}` : 'new key pair'}; ${files.length} file(s) updated`,
    )
  return 0
}
