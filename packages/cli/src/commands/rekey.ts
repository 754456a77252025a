import {
  type AnyEnvelope,
  createProjectKeyCache,
  encodeEnvelope,
  openEnvelope,
  sealWithProjectKey,
} from '@kms-secrets/core'
import { usageError } from '../util/errors.js'
import { writeAtomic, writeStdout } from '../util/fs.js'
import { createProviderPool, type KmsFlags } from '../util/kms.js'
import {
  createDecryptOnce,
  type FoundProjectKey,
  projectKeyLookup,
  readSecretFiles,
  sameContext,
} from '../util/project.js'
import { note, warn } from '../util/report.js'

export interface RekeyOptions extends KmsFlags {
  paths: string[]
  json: boolean
}

interface Item {
  file: string
  env: AnyEnvelope
  project: FoundProjectKey
}

/** Sealed files to move: not yet on the project key in reach (plaintext files are left to `encrypt`). */
async function plan(paths: string[]): Promise<{ items: Item[]; skipped: string[] }> {
  const items: Item[] = []
  const skipped: string[] = []
  const projectKeyFor = projectKeyLookup()
  for (const { file, env } of await readSecretFiles(paths)) {
    if (!env) {
      warn(`${file}: not sealed; seal it with \`kms-secrets encrypt ${file} -i\``)
      continue
    }
    const project = projectKeyFor(file)
    /* Precondition: every file to move has a project key in reach, checked before any KMS call. */
    if (!project)
      throw usageError(`No kms-secrets.json in reach of ${file}.`, 'Run `kms-secrets init --key-id <CMK>` first.')
    if (env.mode === 'project' && env.kms.project === project.fingerprint) skipped.push(file)
    else items.push({ file, env, project })
  }
  return { items, skipped }
}

/**
 * `kms-secrets rekey <files or dirs>`: moves files sealed the old way (a data key per `encrypt` call, or another
 * project key) onto the project key in reach. Opens every file in memory — one KMS Decrypt per distinct blob, one
 * unwrap per other project key — re-seals offline, and writes only after every file is re-sealed. No plaintext
 * touches the disk.
 */
export async function rekeyCommand(opts: RekeyOptions): Promise<number> {
  if (opts.paths.length === 0) throw usageError('rekey needs sealed files or directories.')
  const { items, skipped } = await plan(opts.paths)
  const pool = createProviderPool(opts)
  const decryptOnce = createDecryptOnce(pool)
  const projectKeys = createProjectKeyCache(pool)
  const out: string[] = []
  let kmsCalls = 0
  try {
    for (const { file, env, project } of items) {
      const payload = await openEnvelope(env, { provider: decryptOnce.providerFor(env.kms.region), file, projectKeys })
      try {
        const input = { id: env.id, format: env.format, payload, ...(env.shape ? { shape: env.shape } : {}) }
        out.push(encodeEnvelope(await sealWithProjectKey(project.key, input)))
      } finally {
        payload.fill(0)
      }
      if (!sameContext(env.context, project.key.context))
        warn(`${file}: its context is now the project key's (${Object.keys(project.key.context).join(', ') || 'none'})`)
    }
  } finally {
    kmsCalls = decryptOnce.calls + projectKeys.calls
    projectKeys.dispose()
    decryptOnce.dispose()
  }
  for (const [i, item] of items.entries()) await writeAtomic(item.file, out[i]!)
  if (opts.json) {
    const files = items.map((i) => ({ file: i.file, projectKey: i.project.path }))
    await writeStdout(`${JSON.stringify({ files, skipped, kmsCalls }, null, 2)}\n`)
    return 0
  }
  for (const item of items) note(`${item.file}: re-sealed with the project key ${item.project.path}`)
  for (const file of skipped) note(`${file}: already sealed with the project key in reach`)
  note(
    `${items.length} file${items.length === 1 ? '' : 's'} moved with ${kmsCalls} KMS call${kmsCalls === 1 ? '' : 's'}`,
  )
  return 0
}
