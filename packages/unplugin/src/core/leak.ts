import { readFileSync } from 'node:fs'
import { sep } from 'node:path'
import { collectLeaves, createLeakScanner, KmsSecretsError, type LeakHit, type LeakScanner } from '@kms-secrets/core'
import { isRuntimeModule } from './sync-worker'

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
  /**
   * `publicStrings`: the file's envelope metadata the generated module carries in clear (`envelopePublicStrings`); a
   * leaf exactly equal to one of them is no leak.
   */
  record(file: string, value: unknown, publicStrings?: readonly string[]): void
  /**
   * Every hit in the given assets (never the value), minus ignored JSON paths and minus values that are public:
   * found verbatim in the source of a dependency (`publicSources`: node_modules and the inlined runtime, read only
   * when there is a hit) — `localhost` in a config is no leak because the Tencent SDK contains it. The app's own
   * code is never public: a secret value written there is in the output, and the check says so.
   */
  scan(assets: Iterable<OutputAsset>, publicSources?: PublicSources): LeakHit[]
  /** Drops the plaintext values (and the scanner built from them). */
  clear(): void
}

/** Sources of the build's dependency modules (node_modules, the inlined runtime): public code. */
export type PublicSources = () => Iterable<string | Uint8Array | undefined>

/** A dependency's file: third-party or our runtime, not the app's own code and not a secret file. */
export function isPublicModule(id: string, isSecret: (file: string) => boolean): boolean {
  return !isSecret(id) && (id.includes(`${sep}node_modules${sep}`) || isRuntimeModule(id))
}

/** Dependency files of a build, read from disk lazily (only when the leak check has a hit to confirm). */
export function* fileSources(
  isSecret: (file: string) => boolean,
  files: readonly string[],
): Generator<Uint8Array | undefined> {
  for (const file of files) {
    if (!isPublicModule(file, isSecret)) continue
    try {
      yield readFileSync(file)
    } catch {
      yield undefined
    }
  }
}

const hitKey = (file: string, path: string) => `${file}\0${path}`

/** Hits whose leaf value is exactly one of its file's envelope metadata strings (public by design). */
function envelopeHits(hits: readonly LeakHit[], secrets: Map<string, unknown>, metadata: Map<string, Set<string>>) {
  const found = new Set<string>()
  for (const file of new Set(hits.map((h) => h.file))) {
    const strings = metadata.get(file)
    if (strings === undefined || strings.size === 0) continue
    for (const leaf of collectLeaves(secrets.get(file))) {
      if (strings.has(leaf.value)) found.add(hitKey(file, leaf.path))
    }
  }
  return found
}

/** Hits whose value occurs verbatim in some public source. Reads sources only until every hit is settled. */
function publicHits(hits: readonly LeakHit[], secrets: Map<string, unknown>, sources: PublicSources): Set<string> {
  const pending = new Map<string, string>()
  for (const file of new Set(hits.map((h) => h.file))) {
    const paths = new Set(hits.filter((h) => h.file === file).map((h) => h.path))
    for (const leaf of collectLeaves(secrets.get(file))) {
      if (paths.has(leaf.path)) pending.set(hitKey(file, leaf.path), leaf.value)
    }
  }
  const found = new Set<string>()
  for (const source of sources()) {
    if (source === undefined) continue
    const text = typeof source === 'string' ? source : Buffer.from(source).toString('utf8')
    for (const [key, value] of pending) {
      if (!text.includes(value)) continue
      found.add(key)
      pending.delete(key)
    }
    if (pending.size === 0) break
  }
  return found
}

/** `ignore` entries: a JSON path for every file (`$.host`) or `<file>#<path>` (`config/db.secret.json#$.host`). */
export function createLeakTracker(ignore: readonly string[] = []): LeakTracker {
  let secrets = new Map<string, unknown>()
  let metadata = new Map<string, Set<string>>()
  let scanner: LeakScanner | undefined
  const ignored = (hit: LeakHit) => ignore.includes(hit.path) || ignore.includes(`${hit.file}#${hit.path}`)
  return {
    record(file, value, publicStrings = []) {
      secrets.set(file, value)
      metadata.set(file, new Set(publicStrings))
      scanner = undefined
    },
    scan(assets, publicSources) {
      if (secrets.size === 0) return []
      scanner ??= createLeakScanner([...secrets].map(([file, value]) => ({ file, value })))
      let hits: LeakHit[] = []
      for (const asset of assets) hits.push(...scanner.scan(asset.content, asset.name).filter((h) => !ignored(h)))
      if (hits.length > 0) {
        const inEnvelope = envelopeHits(hits, secrets, metadata)
        hits = hits.filter((h) => !inEnvelope.has(hitKey(h.file, h.path)))
      }
      if (hits.length === 0 || publicSources === undefined) return hits
      const known = publicHits(hits, secrets, publicSources)
      return hits.filter((h) => !known.has(hitKey(h.file, h.path)))
    },
    clear() {
      secrets = new Map()
      metadata = new Map()
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
        'secret (e.g. a host name your code also contains), list its path in the plugin option `leakCheck.ignore`.',
      file: first?.file,
    },
  )
}
