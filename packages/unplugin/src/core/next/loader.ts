import { readFileSync } from 'node:fs'
import { isEnvelopeText, isSealedEnvelopeText, KmsSecretsError } from '@kms-secrets/core'
import { createContext } from '../context'
import { checkImportQuery } from '../guards'
import { toBundlerError } from '../report'
import type { NextLoaderOptions } from './build'
import { fileVersion, type Prebuilt } from './prebuild'

/** The part of the webpack loader context Turbopack provides that this loader uses. */
interface LoaderContext {
  resourcePath: string
  resourceQuery?: string
  getOptions(): NextLoaderOptions
  async(): (error: unknown, code?: string) => void
  emitWarning(warning: Error): void
}

function unchanged(path: string, prebuilt: Prebuilt): boolean {
  const now = fileVersion(path)
  return now.mtime === prebuilt.mtime && now.size === prebuilt.size
}

function notPrebuiltError(file: string): KmsSecretsError {
  return new KmsSecretsError(
    'ERR_PLUGIN_PLAINTEXT_FORBIDDEN',
    `${file} is plaintext and was not sealed when \`next build\` started (it lies outside the project root, or changed since).`,
    {
      hint:
        `Seal it beforehand (\`kms-secrets encrypt ${file} -i\`, or create a project key with \`kms-secrets init\`), ` +
        'keep it under the project root, and do not edit it while `next build` runs.',
      file,
    },
  )
}

/** The loader's warning for a secret file found plaintext while `next dev` runs with Turbopack's cache on. */
function plaintextInCachedDevWarning(file: string, cacheDir: string): string {
  return (
    `unplugin-kms-secrets: ${file} is plaintext, and this \`next dev\` started with Turbopack's filesystem cache on ` +
    `(every secret file was sealed then): the cache now keeps a hash of the file, from which a short or guessable ` +
    `value can be recovered. Stop \`next dev\`, delete ${cacheDir}, and start it again (the cache then stays off ` +
    `while a secret file is plaintext), or seal the file (\`kms-secrets encrypt ${file} -i\`) before deleting it.`
  )
}

/** Files this process warned about (one warning per file, not one per HMR update). */
const warnedPlaintext = new Set<string>()

/**
 * `next dev` with Turbopack's cache on (`turbopackCache`): Turbopack has just hashed this file into it. Plaintext →
 * warn once what to delete; the value itself is never read into the message.
 */
function warnIfHashedPlaintext(
  loader: LoaderContext,
  path: string,
  text: string,
  file: string,
  cacheDir: string,
): void {
  if (warnedPlaintext.has(path)) return
  if (isSealedEnvelopeText(text)) return // strictly: a marker with a value elsewhere or a repeated key is plaintext
  warnedPlaintext.add(path)
  loader.emitWarning(new Error(plaintextInCachedDevWarning(file, cacheDir)))
}

function readIfAny(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined // the load reports it
  }
}

async function loadSecretModule(loader: LoaderContext): Promise<string> {
  const options = loader.getOptions()
  const path = loader.resourcePath
  const id = path + (loader.resourceQuery ?? '')
  // Dev and browser/edge bundles: a context for this one load (the data key is zeroed right after).
  const ctx = createContext(options.plugin)
  try {
    // `next dev` with Turbopack's cache on: one read of the file serves the warning and the load.
    const cacheDir = options.turbopackCache
    const text = cacheDir === undefined ? undefined : readIfAny(path)
    if (cacheDir !== undefined && text !== undefined)
      warnIfHashedPlaintext(loader, path, text, ctx.relativeId(path), cacheDir)
    checkImportQuery(id, ctx.relativeId(path))
    const prebuilt = options.modules?.[path]
    if (options.client === undefined && prebuilt !== undefined && unchanged(path, prebuilt)) return prebuilt.code
    if (options.client === undefined && options.modules !== undefined && !isEnvelopeText(readFileSync(path, 'utf8')))
      throw notPrebuiltError(ctx.relativeId(path))
    ctx.setMode('serve')
    const { code, warnings } = await ctx.load(id, { sync: false, client: options.client }, text)
    for (const warning of warnings) loader.emitWarning(new Error(`${warning} (${ctx.relativeId(path)})`))
    return code
  } finally {
    ctx.buildEnd()
  }
}

/**
 * The Turbopack loader of `withKmsSecrets` (a webpack-style loader): returns the generated module of a secret file —
 * ciphertext plus a call into `@kms-secrets/runtime` — or fails the build with a typed error.
 */
export default function kmsSecretsNextLoader(this: LoaderContext): void {
  const done = this.async()
  loadSecretModule(this).then(
    (code) => done(null, code),
    (error: unknown) => done(toBundlerError(error)),
  )
}
