import { promises as fsp } from 'node:fs'
import path from 'node:path'
import process from 'node:process'
import { createLeakScanner, type LeakHit } from '@kms-secrets/core'
import { KmsSecretsError } from '@kms-secrets/core/errors'
import { ioError, usageError } from '../util/errors.js'
import { writeStdout } from '../util/fs.js'
import { createProviderPool, type KmsFlags } from '../util/kms.js'
import { note } from '../util/report.js'
import { loadSecretValue } from '../util/secret.js'

export interface ScanOptions extends KmsFlags {
  dirs: string[]
  secrets: string[]
  json: boolean
}

/** Every regular file under `root` (a file given directly is scanned too). Symlinks are not followed. */
async function* walk(root: string): AsyncGenerator<string> {
  let stat: Awaited<ReturnType<typeof fsp.lstat>>
  try {
    stat = await fsp.lstat(root)
  } catch (e) {
    throw ioError('scan', root, e)
  }
  if (stat.isFile()) yield root
  if (!stat.isDirectory()) return
  const entries = await fsp.readdir(root, { withFileTypes: true })
  entries.sort((a, b) => (a.name < b.name ? -1 : 1))
  for (const entry of entries) {
    const full = path.join(root, entry.name)
    if (entry.isDirectory()) yield* walk(full)
    else if (entry.isFile()) yield full
  }
}

function printHits(hits: LeakHit[]): void {
  for (const h of hits) note(`leak: ${h.asset}  ${h.file}  ${h.path}  (${h.encoding})`)
}

/**
 * `kms-secrets scan`: decrypt the given secret files in memory, then search every file under the dirs for their
 * values in every encoding the plugin's check uses. Hits name asset + secret file + JSON path + encoding, never the
 * value; any hit → ERR_SCAN_LEAK (exit 1). Usable as a CI step after any build.
 */
export async function scanCommand(opts: ScanOptions): Promise<number> {
  if (opts.dirs.length === 0) throw usageError('scan needs at least one directory (the build output).')
  if (opts.secrets.length === 0)
    throw usageError('scan needs --secrets <file> (repeatable): the secret files to look for.')
  const providerFor = createProviderPool(opts)
  const secrets = []
  for (const file of opts.secrets) secrets.push({ file, value: await loadSecretValue(file, providerFor) })
  const scanner = createLeakScanner(secrets)
  const skip = new Set(opts.secrets.map((f) => path.resolve(f)))
  const hits: LeakHit[] = []
  let scanned = 0
  for (const dir of opts.dirs) {
    for await (const file of walk(dir)) {
      if (skip.has(path.resolve(file))) continue
      scanned++
      const content = await fsp.readFile(file).catch((e: unknown) => {
        throw ioError('read', file, e)
      })
      hits.push(...scanner.scan(content, path.relative(process.cwd(), file) || file))
    }
  }
  if (opts.json) await writeStdout(`${JSON.stringify({ scanned, secrets: opts.secrets, hits }, null, 2)}\n`)
  else printHits(hits)
  if (hits.length === 0) {
    if (!opts.json)
      note(
        `no leaks: ${scanned} file${scanned === 1 ? '' : 's'} scanned for ${opts.secrets.length} secret file${opts.secrets.length === 1 ? '' : 's'}`,
      )
    return 0
  }
  const assets = new Set(hits.map((h) => h.asset)).size
  throw new KmsSecretsError(
    'ERR_SCAN_LEAK',
    `Found ${hits.length} plaintext leak${hits.length === 1 ? '' : 's'} in ${assets} file${assets === 1 ? '' : 's'}.`,
    {
      hint: 'Find where the build inlines these values (a raw import, a define, a log) and keep the secret behind the plugin.',
    },
  )
}
