import { realpathSync, statSync } from 'node:fs'
import { relative } from 'node:path'
import { KmsSecretsError } from '@kms-secrets/core'
import type { SecretsContext } from './context'
import { localKmsDataDirOf } from './local-kms-data'
import { toBundlerError } from './report'
import { type SecretIndex, walkProject } from './secret-index'

/**
 * Files under a directory that `isSecret` picks, symlinks to files included and symlinked directories followed
 * (each real directory once). Unreadable dirs count as empty.
 */
function secretFilesIn(dir: string, isSecret: (path: string) => boolean): string[] {
  const found: string[] = []
  const visit = (path: string) => {
    if (isSecret(path)) found.push(path)
  }
  const walked = new Set<string>()
  const walk = (root: string) => {
    const real = realpathOr(root)
    if (walked.has(real)) return
    walked.add(real)
    walkProject(root, visit, (link) => {
      if (statOr(link)?.isDirectory()) walk(link)
      else visit(link)
    })
  }
  walk(dir)
  return found
}

function realpathOr(path: string): string {
  try {
    return realpathSync.native(path)
  } catch {
    return path
  }
}

function statOr(path: string) {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}

/**
 * Vite copies `publicDir` into the output as is and serves it in dev without any plugin seeing it: a secret file
 * there would ship as plaintext, so the config is refused up front.
 */
export function checkPublicDir(
  ctx: SecretsContext,
  index: SecretIndex,
  config: { root: string; publicDir: string | false; command: 'build' | 'serve' },
): void {
  if (!config.publicDir) return
  // A build copies publicDir as is, following links: every other name of a secret counts. The dev server's guard
  // refuses those names per request, so serving only refuses files that are secrets by their own name.
  // (Serving asks include/exclude alone: no real-path, hard-link or data-dir lookups per file only to drop them.)
  // The files of publicDir share their ancestors: each dir is checked for a local-kms marker once.
  const dataDirs = new Map<string, boolean>()
  const found = secretFilesIn(
    config.publicDir,
    config.command === 'build'
      ? (path) => index.secretFileOf(path) !== undefined || localKmsDataDirOf(path, dataDirs) !== undefined
      : (path) => ctx.matches(path),
  )
  if (found.length === 0) return
  const files = found.map((f) => relative(config.root, f).replaceAll('\\', '/'))
  throw toBundlerError(
    new KmsSecretsError(
      'ERR_PLUGIN_LEAK',
      `${files.join(', ')} would be copied into the build output as is (vite publicDir).`,
      { hint: 'Move secret files out of publicDir and import them from server code instead.', file: files[0] },
    ),
  )
}
