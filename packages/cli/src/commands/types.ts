import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { decodeEnvelope, isEnvelopeText, parseSecretFile, type Shape, secretFileRE } from '@kms-secrets/core'
import { declarationPathFor, renderDeclaration } from '../util/declaration.js'
import { ioError } from '../util/errors.js'
import { readText, writeAtomic, writeStdout } from '../util/fs.js'
import { note, warn } from '../util/report.js'
import { resolveFormat } from '../util/secret.js'

export interface TypesOptions {
  paths: string[]
  json: boolean
}

/** Secret files under `root`; node_modules and dot-directories are skipped, symlinks are not followed. */
async function* findSecretFiles(root: string): AsyncGenerator<string> {
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

/** The shape of a secret file without any KMS call: recorded in a sealed envelope, or inferred from plaintext. */
async function shapeOf(file: string): Promise<Shape> {
  const text = await readText(file)
  if (isEnvelopeText(text)) {
    const env = decodeEnvelope(text, file)
    if (env.shape !== undefined) return env.shape
    if (env.format === 'text') return 'string'
    warn(`${file} records no shape (wrapped blob?); its import is typed as unknown. Re-seal it to type it.`)
    return 'unknown'
  }
  const parsed = parseSecretFile(text, resolveFormat(file), file)
  parsed.payload.fill(0)
  return parsed.shape
}

/**
 * `kms-secrets types`: writes `<name>.d.<ext>.ts` next to every secret file under the given paths (default: the
 * working directory), typing the default export and the named exports by the file's shape. Files whose declaration
 * is already current are left untouched.
 */
export async function typesCommand(opts: TypesOptions): Promise<number> {
  const roots = opts.paths.length > 0 ? opts.paths : ['.']
  const results: { file: string; declaration: string; written: boolean }[] = []
  for (const root of roots) {
    for await (const file of findSecretFiles(root)) {
      const declaration = declarationPathFor(file)
      const text = renderDeclaration(file, await shapeOf(file))
      const current = await fsp.readFile(declaration, 'utf8').catch(() => undefined)
      if (current !== text) await writeAtomic(declaration, text)
      results.push({ file, declaration, written: current !== text })
    }
  }
  if (opts.json) await writeStdout(`${JSON.stringify({ files: results }, null, 2)}\n`)
  else {
    for (const r of results) note(`${r.written ? 'wrote' : 'up to date'}: ${r.declaration}`)
    if (results.length === 0) note('no *.secret.* files found')
  }
  return 0
}
