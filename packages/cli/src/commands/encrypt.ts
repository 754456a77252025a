import {
  type AnyEnvelope,
  createSealer,
  encodeEnvelope,
  isEnvelopeText,
  type ParsedSecret,
  parseSecretFile,
  type SealedEnvelope,
  type SecretFormat,
  sealWithProjectKey,
} from '@kms-secrets/core'
import { KmsSecretsError } from '@kms-secrets/core/errors'
import { usageError } from '../util/errors.js'
import { readText, writeAtomic, writeStdout } from '../util/fs.js'
import { createProviderPool, type KmsFlags } from '../util/kms.js'
import { type FoundProjectKey, projectKeyLookup, sameContext } from '../util/project.js'
import { note } from '../util/report.js'
import { defaultId, resolveFormat } from '../util/secret.js'

export interface EncryptOptions extends KmsFlags {
  files: string[]
  keyId: string | undefined
  context: Record<string, string>
  inPlace: boolean
  output: string | undefined
  id: string | undefined
  format: string | undefined
  json: boolean
}

interface Job {
  file: string
  target: string | undefined
  id: string
  format: SecretFormat
}

function planJobs(opts: EncryptOptions): Job[] {
  /* Precondition: the flags describe one unambiguous output per input. */
  if (opts.files.length === 0) throw usageError('encrypt needs at least one file.')
  if (opts.inPlace && opts.output) throw usageError('Use either -i/--in-place or -o/--output, not both.')
  if (opts.files.length > 1 && !opts.inPlace) throw usageError('Several files can only be sealed in place: add -i.')
  if (opts.files.length > 1 && opts.id) throw usageError('--id names one file; seal the files one by one to set it.')
  if (opts.json && !opts.inPlace && !opts.output)
    throw usageError('--json needs -i or -o: the envelope itself goes to stdout.')
  return opts.files.map((file) => {
    const target = opts.inPlace ? file : opts.output
    return { file, target, id: opts.id ?? defaultId(target ?? file), format: resolveFormat(file, opts.format) }
  })
}

async function readPlaintext(job: Job) {
  const text = await readText(job.file)
  if (isEnvelopeText(text)) {
    throw new KmsSecretsError('ERR_ENVELOPE_ALREADY_SEALED', `${job.file} is already sealed.`, {
      hint: 'Use `kms-secrets edit` to change its values or `kms-secrets rotate` to re-wrap its data key.',
      file: job.file,
    })
  }
  return parseSecretFile(text, job.format, job.file)
}

/** The project key of each job (nearest kms-secrets.json of its file), or undefined when --key-id decides. */
function projectKeysOf(jobs: Job[], opts: EncryptOptions): FoundProjectKey[] | undefined {
  if (opts.keyId) return undefined
  const projectKeyFor = projectKeyLookup()
  return jobs.map((job) => {
    const found = projectKeyFor(job.file)
    /* Precondition: without --key-id every file has a project key in reach. */
    if (!found) {
      throw usageError(
        `encrypt needs --key-id <KeyId>, or a kms-secrets.json in reach of ${job.file}.`,
        'Create the project key once with `kms-secrets init --key-id <CMK>`; then sealing needs no credentials.',
      )
    }
    const given = Object.keys(opts.context).length > 0
    if (given && !sameContext(opts.context, found.key.context))
      throw usageError(`--context differs from the context of the project key ${found.path}.`, 'Drop --context.')
    return found
  })
}

/** Offline: each file sealed with the PUBLIC half of its project key. No provider, no credentials, no KMS call. */
async function sealWithProjectKeys(jobs: Job[], parsed: ParsedSecret[], keys: FoundProjectKey[]) {
  const envs: AnyEnvelope[] = []
  for (const [i, job] of jobs.entries()) {
    const p = parsed[i]!
    envs.push(
      await sealWithProjectKey(keys[i]!.key, { id: job.id, format: job.format, payload: p.payload, shape: p.shape }),
    )
  }
  return envs
}

async function writeEnvelopes(jobs: Job[], envs: AnyEnvelope[]): Promise<void> {
  for (const [i, job] of jobs.entries()) {
    const text = encodeEnvelope(envs[i]!)
    if (job.target === undefined) await writeStdout(text)
    else await writeAtomic(job.target, text)
  }
}

/**
 * `kms-secrets encrypt`: plaintext secret files → sealed envelopes. With a kms-secrets.json in reach (and no
 * --key-id): sealed offline with the project key, no KMS call. Otherwise all files of one call share ONE data key
 * (one GenerateDataKey now, one Decrypt at runtime). Every file is read and parsed before anything is sealed, and
 * every envelope is sealed before anything is written.
 */
export async function encryptCommand(opts: EncryptOptions): Promise<number> {
  const jobs = planJobs(opts)
  const projectKeys = projectKeysOf(jobs, opts)
  const parsed = await Promise.all(jobs.map(readPlaintext))
  if (projectKeys) {
    try {
      await writeEnvelopes(jobs, await sealWithProjectKeys(jobs, parsed, projectKeys))
    } finally {
      for (const p of parsed) p.payload.fill(0)
    }
    const files = jobs.map((j, i) => ({
      file: j.file,
      output: j.target,
      id: j.id,
      format: j.format,
      projectKey: projectKeys[i]!.path,
    }))
    if (opts.json) await writeStdout(`${JSON.stringify({ projectKey: true, kmsCalls: 0, files }, null, 2)}\n`)
    else if (jobs.some((j) => j.target !== undefined))
      note(
        `sealed ${jobs.length} file${jobs.length === 1 ? '' : 's'} with the project key ${projectKeys[0]!.path} (offline, no KMS call)`,
      )
    return 0
  }
  const provider = createProviderPool(opts)()
  const sealer = createSealer({ provider, keyId: opts.keyId as string, context: opts.context })
  const envs: SealedEnvelope[] = []
  try {
    for (const [i, job] of jobs.entries()) {
      const p = parsed[i]!
      const env = await sealer.seal({ id: job.id, format: job.format, payload: p.payload, shape: p.shape })
      envs.push(env)
    }
  } finally {
    sealer.dispose()
    for (const p of parsed) p.payload.fill(0)
  }
  await writeEnvelopes(jobs, envs)
  const keyId = envs[0]!.kms.keyId
  if (opts.json) {
    const files = jobs.map((j) => ({ file: j.file, output: j.target, id: j.id, format: j.format }))
    await writeStdout(`${JSON.stringify({ keyId, region: provider.region, dataKeys: 1, files }, null, 2)}\n`)
  } else if (jobs.some((j) => j.target !== undefined)) {
    note(`sealed ${jobs.length} file${jobs.length === 1 ? '' : 's'} with key ${keyId} (one data key)`)
  }
  return 0
}
