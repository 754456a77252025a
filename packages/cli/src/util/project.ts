import { promises as fsp } from 'node:fs'
import path from 'node:path'
import {
  type AnyEnvelope,
  type DecryptResult,
  decodeEnvelope,
  findProjectKey,
  isEnvelopeText,
  type KmsProvider,
  type ProjectKey,
  projectKeyFingerprint,
  secretFileRE,
  unlockProjectKey,
} from '@kms-secrets/core'
import { KmsSecretsError } from '@kms-secrets/core/errors'
import { ioError } from './errors.js'
import { readText } from './fs.js'

/** Secret files under `root`; node_modules and dot-directories are skipped, symlinks are not followed. */
export async function* findSecretFiles(root: string): AsyncGenerator<string> {
  const stat = await fsp.lstat(root).catch((e: unknown) => {
    throw ioError('read', root, e)
  })
  if (stat.isFile()) {
    if (secretFileRE.test(root)) yield root
    return
  }
  if (!stat.isDirectory()) return
  const entries = await fsp.readdir(root, { withFileTypes: true })
  entries.sort((a, b) => (a.name < b.name ? -1 : 1))
  for (const e of entries) {
    const full = path.join(root, e.name)
    if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) yield* findSecretFiles(full)
    else if (e.isFile() && secretFileRE.test(e.name)) yield full
  }
}

/** Every secret file named or found under the named directories, each once, in a stable order. */
async function collectSecretFiles(paths: readonly string[]): Promise<string[]> {
  const out = new Set<string>()
  for (const p of paths) for await (const f of findSecretFiles(p)) out.add(f)
  return [...out]
}

/** The secret files of `paths` (as `collectSecretFiles`) with their envelopes; `env` is undefined when not sealed. */
export async function readSecretFiles(
  paths: readonly string[],
): Promise<{ file: string; env: AnyEnvelope | undefined }[]> {
  const out = []
  for (const file of await collectSecretFiles(paths)) {
    const text = await readText(file)
    out.push({ file, env: isEnvelopeText(text) ? decodeEnvelope(text, file) : undefined })
  }
  return out
}

/** The same encryption context pairs, in any order. */
export function sameContext(a: Record<string, string>, b: Record<string, string>): boolean {
  const norm = (c: Record<string, string>) => JSON.stringify(Object.entries(c).sort(([x], [y]) => (x < y ? -1 : 1)))
  return norm(a) === norm(b)
}

export interface FoundProjectKey {
  path: string
  key: ProjectKey
  fingerprint: string
}

/** The project key in reach of a file: the nearest kms-secrets.json walking up from its directory (as .sops.yaml). */
export function projectKeyFor(file: string): FoundProjectKey | undefined {
  const found = findProjectKey(path.dirname(path.resolve(file)))
  return found && { ...found, fingerprint: projectKeyFingerprint(found.key) }
}

/** `projectKeyFor` for the many files of one command: kms-secrets.json is looked up and read once per directory. */
export function projectKeyLookup(): (file: string) => FoundProjectKey | undefined {
  const byDir = new Map<string, FoundProjectKey | undefined>()
  return (file) => {
    const dir = path.dirname(path.resolve(file))
    if (!byDir.has(dir)) byDir.set(dir, projectKeyFor(file))
    return byDir.get(dir)
  }
}

/**
 * A provider whose Decrypt is done once per distinct (blob, EncryptionContext) for a whole command (rekey, rotate):
 * each caller gets its own copy of the plaintext (openEnvelope zeroes what it gets); `dispose()` zeroes the cache.
 */
export function createDecryptOnce(providerFor: (region?: string) => KmsProvider) {
  const cache = new Map<string, Promise<DecryptResult>>()
  return {
    providerFor(region?: string): KmsProvider {
      const base = providerFor(region)
      return {
        ...base,
        name: base.name,
        region: base.region,
        async decrypt(req, opts) {
          const key = JSON.stringify([base.region, req.ciphertextBlob, req.encryptionContext ?? null])
          let pending = cache.get(key)
          if (!pending) {
            pending = base.decrypt(req, opts)
            pending.catch(() => cache.delete(key))
            cache.set(key, pending)
          }
          const res = await pending
          return { ...res, plaintext: res.plaintext.slice() }
        },
      }
    },
    get calls() {
      return cache.size
    },
    dispose() {
      for (const p of cache.values())
        p.then(
          (r) => r.plaintext.fill(0),
          () => {},
        )
      cache.clear()
    },
  }
}

/** ERR_PROJECT_KEY: a file sealed with a project key, but no kms-secrets.json in reach to re-seal it with. */
export function noProjectKey(file: string): KmsSecretsError {
  return new KmsSecretsError(
    'ERR_PROJECT_KEY',
    `${file} is sealed with a project key, but no kms-secrets.json is in reach.`,
    {
      hint: "Run the command inside the project (kms-secrets.json is looked up from the file's directory upwards).",
      file,
    },
  )
}

/**
 * Before re-sealing with the project key in reach: checks that its wrapped private key belongs to its publicKey (a
 * kms-secrets.json whose publicKey was swapped would make the re-sealed value readable by someone else). Free when
 * `opened` is an envelope of this very project key that was just opened: HPKE derived the data key from the
 * unwrapped private key's own public key and the fingerprint, so the open proved it. Otherwise one KMS unwrap
 * (`unlockProjectKey`, ERR_PROJECT_KEY on a mismatch); the private key is zeroed at once.
 */
export async function verifyProjectKey(
  found: FoundProjectKey,
  opened: AnyEnvelope | undefined,
  providerFor: (region?: string) => KmsProvider,
): Promise<number> {
  if (opened?.mode === 'project' && opened.kms.project === found.fingerprint) return 0
  const privateKey = await unlockProjectKey(found.key, providerFor(found.key.region))
  privateKey.fill(0)
  return 1
}
