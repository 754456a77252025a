import { createHash } from 'node:crypto'
import { statSync } from 'node:fs'
import type { RspackCompiler, WebpackCompiler } from 'unplugin'
import { secretFilesUnder } from '../asset-guard'
import type { SecretsContext } from '../context'

const pluginName = 'unplugin-kms-secrets'

type HashCallback = (err: Error | null, hash?: string | null) => void

interface FileSystemInfoLike {
  fs: { stat(path: string, cb: (err: NodeJS.ErrnoException | null, stats?: { mtimeMs: number }) => void): void }
  fileHashQueue?: { add(path: string, cb: HashCallback): void }
}

/**
 * webpack's FileSystemInfo hashes a file's bytes (unsalted, `output.hashFunction`) for every snapshot with
 * `hash: true` — module and resolve snapshots in production mode, context hashes — and `cache.type: 'filesystem'`
 * stores those hashes: a short secret (a PIN) is recovered by hashing every candidate. Every file hash of webpack
 * 5 comes from `fileHashQueue` (lib/fs/FileSystemInfo.js: `getFileHash`, `createSnapshot`,
 * `_getFileTimestampAndHash`, `_readContextHash`), so for a secret file the queue answers with a value made from
 * its mtime instead: a snapshot still changes when the file is touched, and nothing stored depends on its bytes.
 */
function hashSecretsByTimestamp(ctx: SecretsContext, compiler: WebpackCompiler): void {
  const patched = new WeakSet<object>()
  // `compilation`, not `thisCompilation`: child compilations (HTML, CSS extraction) snapshot files too.
  compiler.hooks.compilation.tap(pluginName, (compilation) => {
    const info = (compilation as unknown as { fileSystemInfo?: FileSystemInfoLike }).fileSystemInfo
    const queue = info?.fileHashQueue
    if (info === undefined || queue === undefined || patched.has(queue)) return
    patched.add(queue)
    const add = queue.add.bind(queue)
    queue.add = (path, callback) => {
      if (!ctx.matches(path)) return add(path, callback)
      info.fs.stat(path, (err, stats) => {
        if (err?.code === 'ENOENT') return callback(null, null)
        if (err || stats === undefined) return callback(err ?? null)
        callback(null, `kms-secrets-mtime:${stats.mtimeMs}`)
      })
    }
  })
}

interface RspackOptionsLike {
  snapshot?: { immutablePaths?: (string | RegExp)[] }
  cache?: boolean | { type?: string; version?: string }
  /** rspack 1.x: `experiments.cache: { type: 'persistent' }`. */
  experiments?: { cache?: boolean | { type?: string } }
}

const isPersistent = (cache: unknown): boolean =>
  typeof cache === 'object' && cache !== null && (cache as { type?: unknown }).type === 'persistent'

/**
 * rspack 2.x snapshots every file dependency in Rust with an unsalted 64-bit FxHash of its bytes and stores it in the
 * persistent cache (`snapshot_file`), whatever `snapshot.module` says, and offers no per-file hook. An immutable path
 * gets no snapshot entry at all, so the project's secret files are listed as immutable — and since a change to them
 * is then not seen by the snapshot, the cache `version` carries their mtimes: touching a secret file starts a fresh
 * cache. Secret files created after the compiler was created are not covered (restart the watcher).
 */
function noSecretSnapshots(ctx: SecretsContext, compiler: RspackCompiler): void {
  const options = compiler.options as RspackOptionsLike
  // Only a persistent cache stores snapshots: without one, the walk for secret files is skipped.
  if (!isPersistent(options.cache) && !isPersistent(options.experiments?.cache)) return
  const files = secretFilesUnder(ctx)
  if (files.length === 0) return
  options.snapshot ??= {}
  options.snapshot.immutablePaths = [...(options.snapshot.immutablePaths ?? []), ...files]
  const cache = options.cache
  if (typeof cache !== 'object' || cache.type !== 'persistent') return
  const times = createHash('sha256')
  for (const file of files) {
    const stats = statSync(file, { throwIfNoEntry: false })
    times.update(`${file}\0${stats?.mtimeMs}\0${stats?.ctimeMs}\0`)
  }
  cache.version = `${cache.version ?? ''}+kms-secrets-${times.digest('hex').slice(0, 16)}`
}

/** No snapshot or cache entry of webpack/rspack derived from a secret file's plaintext bytes. */
export function noPlaintextHashes(ctx: SecretsContext, compiler: WebpackCompiler | RspackCompiler, rspack: boolean) {
  if (rspack) noSecretSnapshots(ctx, compiler as RspackCompiler)
  else hashSecretsByTimestamp(ctx, compiler as WebpackCompiler)
}
