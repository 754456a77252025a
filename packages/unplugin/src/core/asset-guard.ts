import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { createLeakScanner, isEnvelopeText, KmsSecretsError } from '@kms-secrets/core'
import type { SecretsContext } from './context'
import { splitId } from './guards'
import type { LeakHit, OutputAsset } from './leak'
import { walkProject } from './secret-index'

/**
 * `new URL('./x', import.meta.url)`: vite's client build (vite:asset-import-meta-url), webpack 5 and rollup asset
 * plugins read the file themselves — never through a load hook — and emit it or inline it as a data: URL.
 */
const newUrlRE = /\bnew\s+URL\s*\(\s*(['"`])([^'"`$]+)\1\s*,\s*import\.meta\.url\b/g
/** CSS `url(…)`: vite's CSS plugin reads the file itself too, and inlines it under `assetsInlineLimit`. */
const cssUrlRE = /\burl\(\s*(['"]?)([^'")\s]+)\1\s*\)/g
const cssIdRE = /\.(?:css|scss|sass|less|styl|stylus|pcss|postcss|sss)(?:$|\?)|[?&]type=style\b/
/** A code filter for the transform hook: only modules that may reference a file as an asset. */
export const assetReferenceCodeRE: RegExp = /new\s+URL\s*\(|url\(/

/** ERR_PLUGIN_RAW_IMPORT: a secret file referenced as an asset (its bytes would be copied or inlined). */
export function assetReferenceError(file: string, importer: string, how: string): KmsSecretsError {
  return new KmsSecretsError(
    'ERR_PLUGIN_RAW_IMPORT',
    `${file} is referenced as an asset by ${how} in ${importer}: the bundler would copy or inline the secret ` +
      "file's plaintext bytes into the output.",
    { hint: `Import it from server code instead (\`import value from './${file.split('/').pop()}'\`).`, file },
  )
}

/** The file a literal asset specifier names, relative to its importer or to the root; undefined for URLs. */
function referencedPath(root: string, importer: string, spec: string): string | undefined {
  if (/^(?:[a-z][a-z\d+.-]*:|\/\/|#)/i.test(spec)) return undefined
  const path = splitId(spec).path
  return path.startsWith('/') ? resolve(root, `.${path}`) : resolve(dirname(importer), path)
}

/**
 * Refuses a module that references a secret file as an asset with a literal path (`new URL('../x.secret.json',
 * import.meta.url)`, CSS `url(../x.secret.json)`): the transform hook sees the source before the asset plugins.
 */
export function checkAssetReferences(ctx: SecretsContext, code: string, id: string): void {
  const importer = splitId(id).path
  const css = cssIdRE.test(id)
  for (const m of code.matchAll(css ? cssUrlRE : newUrlRE)) {
    const path = referencedPath(ctx.root, importer, m[2] ?? '')
    if (path === undefined || !ctx.matches(path)) continue
    const how = css ? 'CSS `url()`' : '`new URL(…, import.meta.url)`'
    throw assetReferenceError(ctx.relativeId(path), ctx.relativeId(importer), how)
  }
}

/** Secret files under the root (dependencies and git objects skipped; symlinked dirs not followed). */
export function secretFilesUnder(ctx: SecretsContext): string[] {
  const found: string[] = []
  walkProject(ctx.root, (path) => {
    if (ctx.matches(path)) found.push(path)
  })
  return found
}

/** Shorter whole-file texts are compared with whole assets only: as a substring they would match by chance. */
const minContained = 6

/**
 * Output files that carry a plaintext secret file's bytes whatever put them there — a copy, an inlined data: URL,
 * a raw-string plugin — searched for as the file's whole text in every encoding of the leak scanner (and inside
 * decoded data: URLs). The project's secret files are read for this check only and dropped when it returns.
 */
export function secretFileCopies(ctx: SecretsContext, assets: Iterable<OutputAsset>): LeakHit[] {
  const texts: { file: string; text: string }[] = []
  for (const path of secretFilesUnder(ctx)) {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch {
      continue
    }
    if (!isEnvelopeText(text) && text.trim() !== '') texts.push({ file: ctx.relativeId(path), text })
  }
  if (texts.length === 0) return []
  const long = texts.filter((t) => t.text.trim().length >= minContained)
  const scanner = createLeakScanner(long.map((t) => ({ file: t.file, leaves: [{ path: '$', value: t.text.trim() }] })))
  const hits: LeakHit[] = []
  for (const asset of assets) {
    if (long.length > 0) hits.push(...scanner.scan(asset.content, asset.name))
    const content = typeof asset.content === 'string' ? asset.content : Buffer.from(asset.content).toString('utf8')
    const same = texts.find((t) => t.text === content || t.text.trim() === content.trim())
    if (same) hits.push({ asset: asset.name, file: same.file, path: '$', encoding: 'raw' })
  }
  return hits
}
