import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { createLeakScanner, isSealedEnvelopeText, KmsSecretsError, type LeakScanner } from '@kms-secrets/core'
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
 * An output file; `from`: the files the bundler records it was copied from (rollup/rolldown/vite
 * `originalFileNames`, webpack/rspack `info.sourceFilename`; esbuild records none), absolute or relative to the root.
 */
export interface EmittedAsset extends OutputAsset {
  readonly from?: readonly string[] | undefined
}

function textOf(content: string | Uint8Array): string {
  if (typeof content === 'string') return content
  return Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('utf8')
}

/** The plaintext secret files of the project, as whole texts, and the scanner built from them. */
interface CopyNeedles {
  texts: { file: string; text: string }[]
  scanner?: LeakScanner | undefined
}

/**
 * Reads the project's secret files (walked); sealed and empty ones are no needles. Sealed means strictly decodable
 * (~5 µs a file): a text that only carries the marker may hold a value in another field or a repeated key, and
 * esbuild records no copy origin for rule 1 to catch its copy.
 */
function readNeedles(ctx: SecretsContext): CopyNeedles {
  const texts: CopyNeedles['texts'] = []
  for (const path of secretFilesUnder(ctx)) {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch {
      continue
    }
    if (text.trim() !== '' && !isSealedEnvelopeText(text)) texts.push({ file: ctx.relativeId(path), text })
  }
  const long = texts.filter((t) => t.text.trim().length >= minContained)
  if (long.length === 0) return { texts }
  return {
    texts,
    scanner: createLeakScanner(long.map((t) => ({ file: t.file, leaves: [{ path: '$', value: t.text.trim() }] }))),
  }
}

/** Rule 1: assets the bundler says were copied from a secret file (any of its names), unless their bytes are sealed. */
function copiedFromSecrets(ctx: SecretsContext, asset: EmittedAsset): LeakHit | undefined {
  for (const from of asset.from ?? []) {
    const secret = ctx.secrets.secretFileOf(resolve(ctx.root, splitId(from).path))
    if (secret === undefined) continue
    // Strictly (core's decodeEnvelope): a text that merely carries the marker may hold values in other fields or a
    // repeated key, and is plaintext here, as it is for the plugin's load, which refuses it.
    if (isSealedEnvelopeText(textOf(asset.content))) return undefined
    return { asset: asset.name, file: ctx.relativeId(secret), path: '$', encoding: 'raw' }
  }
  return undefined
}

/** Rule 2: the whole text of a plaintext secret file, in every encoding of the leak scanner (data: URLs decoded). */
function containedSecretFiles(needles: CopyNeedles, asset: EmittedAsset): LeakHit[] {
  const hits = needles.scanner?.scan(asset.content, asset.name) ?? []
  const content = textOf(asset.content)
  const same = needles.texts.find((t) => t.text === content || t.text.trim() === content.trim())
  if (same) hits.push({ asset: asset.name, file: same.file, path: '$', encoding: 'raw' })
  return hits
}

/**
 * The one check of every bundler for copies of secret files in the output. Per output: `check` returns its hits
 * (each once), to be reported as ERR_PLUGIN_LEAK like the leak check's.
 */
export interface SecretCopyCheck {
  check(assets: Iterable<EmittedAsset>): LeakHit[]
  /**
   * Drops the plaintext texts read for this build. Call it where the build's last output was checked (rollup's
   * closeBundle, webpack's processAssets, esbuild's onEnd) and at buildStart: a rebuild in watch mode reads afresh.
   */
  end(): void
}

/**
 * Output files that carry a secret file's plaintext bytes, whatever put them there — the same rule on every bundler:
 * 1. an asset the bundler records as copied from a secret file (copy plugins, emitted assets) is refused unless its
 *    bytes are a sealed envelope — whatever the leakCheck option, and judged by the bytes that ship, not by the file
 *    on disk (a transform, or an edit since the copy, would not show there);
 * 2. with leakCheck on, every asset is searched for each plaintext secret file's whole text (a copy, an inlined
 *    data: URL, a raw-string plugin; in every encoding of the leak scanner, inside decoded data: URLs too).
 * A copied sealed envelope passes on every bundler: it is ciphertext and metadata, which the repository holds by design
 * (sealed files are committed) and the generated modules carry anyway. The project is walked and its secret files
 * read once per build, at its first output; the texts are dropped by `end()`.
 */
export function createSecretCopyCheck(ctx: SecretsContext): SecretCopyCheck {
  let needles: CopyNeedles | undefined
  return {
    check(assets) {
      const hits = new Map<string, LeakHit>()
      const add = (hit: LeakHit) => {
        const key = `${hit.asset}\0${hit.file}\0${hit.path}\0${hit.encoding}`
        if (!hits.has(key)) hits.set(key, hit)
      }
      for (const asset of assets) {
        const copied = copiedFromSecrets(ctx, asset)
        if (copied) add(copied)
        if (!ctx.options.leakCheck) continue
        needles ??= readNeedles(ctx)
        if (needles.texts.length > 0) for (const hit of containedSecretFiles(needles, asset)) add(hit)
      }
      return [...hits.values()]
    },
    end() {
      needles = undefined
    },
  }
}
