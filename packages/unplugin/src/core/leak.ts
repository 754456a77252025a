import { createLeakScanner, KmsSecretsError, type LeakHit, type LeakScanner } from '@kms-secrets/core'

export type { LeakHit }

/** One emitted file as the bundler hands it over. */
export interface OutputAsset {
  name: string
  content: string | Uint8Array
}

/**
 * The plaintext values this build sealed, kept only until the end-of-build check has run. Values sealed on disk
 * are never seen by the build and so never held here.
 */
export interface LeakTracker {
  record(file: string, value: unknown): void
  /** Number of secret files recorded. */
  readonly size: number
  /** Every hit in the given assets (never the value), minus ignored JSON paths. */
  scan(assets: Iterable<OutputAsset>): LeakHit[]
  /** Drops the plaintext values (and the scanner built from them). */
  clear(): void
}

/** `ignore` entries: a JSON path for every file (`$.host`) or `<file>#<path>` (`config/db.secret.json#$.host`). */
export function createLeakTracker(ignore: readonly string[] = []): LeakTracker {
  let secrets = new Map<string, unknown>()
  let scanner: LeakScanner | undefined
  const ignored = (hit: LeakHit) => ignore.includes(hit.path) || ignore.includes(`${hit.file}#${hit.path}`)
  return {
    record(file, value) {
      secrets.set(file, value)
      scanner = undefined
    },
    get size() {
      return secrets.size
    },
    scan(assets) {
      if (secrets.size === 0) return []
      scanner ??= createLeakScanner([...secrets].map(([file, value]) => ({ file, value })))
      const hits: LeakHit[] = []
      for (const asset of assets) hits.push(...scanner.scan(asset.content, asset.name).filter((h) => !ignored(h)))
      return hits
    },
    clear() {
      secrets = new Map()
      scanner = undefined
    },
  }
}

/** Assets named in a leak error (unique, in order). */
export function leakingAssets(hits: readonly LeakHit[]): string[] {
  return [...new Set(hits.map((h) => h.asset))]
}

/** ERR_PLUGIN_LEAK naming asset, secret file, JSON path and encoding of each hit — never the value. */
export function leakError(hits: readonly LeakHit[], removed = false): KmsSecretsError {
  const lines = hits.slice(0, 20).map((h) => `  ${h.asset}: ${h.file} ${h.path} (${h.encoding})`)
  if (hits.length > 20) lines.push(`  … and ${hits.length - 20} more`)
  const first = hits[0]
  return new KmsSecretsError(
    'ERR_PLUGIN_LEAK',
    `Plaintext of a secret file was found in the build output${removed ? ' (the leaking files were removed)' : ''}:\n${lines.join('\n')}`,
    {
      hint:
        'Something copied the plaintext into the output: a `?raw`/`?url` import, `new URL(…, import.meta.url)`, a copy ' +
        'or define/replace plugin, or the value written in code. Find what references the file. If a value is not ' +
        'secret (e.g. a host name the code also contains), list its path in the plugin option `leakCheck.ignore`.',
      file: first?.file,
    },
  )
}
