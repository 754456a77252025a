import { promises as fsp } from 'node:fs'
import { declarationPathFor, renderSecretTypes, secretTypesOf } from '@kms-secrets/core'
import { readText, writeAtomic, writeStdout } from '../util/fs.js'
import { findSecretFiles } from '../util/project.js'
import { note, warn } from '../util/report.js'
import { resolveFormat } from '../util/secret.js'

export interface TypesOptions {
  paths: string[]
  /** Write nothing; exit 1 when a declaration is missing or stale (CI). */
  check: boolean
  json: boolean
}

/** The declaration of a secret file without any KMS call: shape recorded in the envelope, or parsed plaintext. */
async function declarationOf(file: string): Promise<string> {
  const text = await readText(file)
  const types = secretTypesOf(text, file, resolveFormat)
  if (types.shape === undefined && types.format !== 'text') {
    warn(`${file} records no shape (a wrapped blob); its keys are typed as unknown. Re-seal it with edit to type them.`)
  }
  return renderSecretTypes(types)
}

/**
 * `kms-secrets types`: writes `<name>.d.<ext>.ts` next to every secret file under the given paths (default: the
 * working directory), typing the default export and the named exports by the file's shape — the same files, with the
 * same content, as the plugin writes during builds. Current declarations are left untouched; `--check` writes nothing.
 */
export async function typesCommand(opts: TypesOptions): Promise<number> {
  const roots = opts.paths.length > 0 ? opts.paths : ['.']
  const results: { file: string; dts: string; changed: boolean }[] = []
  for (const root of roots) {
    for await (const file of findSecretFiles(root)) {
      const dts = declarationPathFor(file)
      const text = await declarationOf(file)
      const changed = (await fsp.readFile(dts, 'utf8').catch(() => undefined)) !== text
      if (changed && !opts.check) await writeAtomic(dts, text)
      results.push({ file, dts, changed })
    }
  }
  const stale = results.filter((r) => r.changed)
  if (opts.json) await writeStdout(`${JSON.stringify({ files: results }, null, 2)}\n`)
  else {
    for (const r of results) note(`${!r.changed ? 'up to date' : opts.check ? 'stale' : 'wrote'}: ${r.dts}`)
    if (results.length === 0) note('no *.secret.* files found')
  }
  if (opts.check && stale.length > 0) {
    note(
      `${stale.length} declaration file${stale.length === 1 ? ' is' : 's are'} missing or stale: run kms-secrets types`,
    )
    return 1
  }
  return 0
}
