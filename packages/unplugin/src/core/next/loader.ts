import { readFileSync } from 'node:fs'
import { isEnvelopeText, KmsSecretsError } from '@kms-secrets/core'
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

async function loadSecretModule(loader: LoaderContext): Promise<string> {
  const options = loader.getOptions()
  const path = loader.resourcePath
  const id = path + (loader.resourceQuery ?? '')
  // Dev and browser/edge bundles: a context for this one load (the data key is zeroed right after).
  const ctx = createContext(options.plugin)
  try {
    checkImportQuery(id, ctx.relativeId(path))
    const prebuilt = options.modules?.[path]
    if (options.client === undefined && prebuilt !== undefined && unchanged(path, prebuilt)) return prebuilt.code
    if (options.client === undefined && options.modules !== undefined && !isEnvelopeText(readFileSync(path, 'utf8')))
      throw notPrebuiltError(ctx.relativeId(path))
    ctx.setMode('serve')
    const { code, warnings } = await ctx.load(id, { sync: false, client: options.client })
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
