import { KmsSecretsError } from '@kms-secrets/core'

/**
 * Queries a secret import may carry: vite's own `?import` (non-JS imports in dev), `?v=` (dep version hash) and
 * `?t=` (HMR timestamp). Anything else (`?raw`, `?url`, `?inline`, `?worker`, `?init`…) asks another loader for the
 * file's bytes — its plaintext — so it is refused.
 */
export const allowedQueryKeys: ReadonlySet<string> = new Set(['import', 'v', 't'])

/** Splits `path?query#hash` into the file path and its query keys. */
export function splitId(id: string): { path: string; query: string[] } {
  const q = id.search(/[?#]/)
  if (q < 0) return { path: id, query: [] }
  const search = id.slice(q).replace(/^#.*$/, '').replace(/^\?/, '').replace(/#.*$/, '')
  const query = search === '' ? [] : [...new URLSearchParams(search).keys()]
  return { path: id.slice(0, q), query }
}

/** Whether an id is a secret file by include/exclude (a `?query` ignored, virtual ids never). */
export function secretIdFilter(filter: (path: string) => boolean): (id: string) => boolean {
  return (id) => !id.includes('\0') && filter(splitId(id).path)
}

/** ERR_PLUGIN_RAW_IMPORT when a secret is imported with a query that would hand its plaintext to another loader. */
export function checkImportQuery(id: string, file: string, importersOf?: () => readonly string[]): void {
  const refused = splitId(id).query.filter((key) => !allowedQueryKeys.has(key))
  if (refused.length === 0) return
  const importers = importersOf?.() ?? []
  const via = importers.length > 0 ? ` (imported by ${importers[0]})` : ''
  throw new KmsSecretsError(
    'ERR_PLUGIN_RAW_IMPORT',
    `${file} is imported with \`?${refused.join('&')}\`${via}: that would put the secret file's plaintext bytes into ` +
      'the bundle.',
    { hint: `Import it without a query (\`import value from './${file.split('/').pop()}'\`).`, file },
  )
}

/** `a.ts → b.ts → db.secret.json`, outermost importer first. */
export function formatImporterChain(file: string, importers: readonly string[]): string {
  return [...importers].reverse().concat(file).join(' → ')
}

/** ERR_PLUGIN_CLIENT_BUNDLE: a secret reached a bundle that runs in a browser. */
export function clientBundleError(file: string, importers: readonly string[], where: string): KmsSecretsError {
  const chain = importers.length > 0 ? `\n  ${formatImporterChain(file, importers)}` : ''
  return new KmsSecretsError(
    'ERR_PLUGIN_CLIENT_BUNDLE',
    `${file} is imported into a browser bundle (${where}); secrets only decrypt on the server.${chain}`,
    {
      hint:
        'Import secret files only from server code (SSR entry, API handlers), or build this bundle for node ' +
        '(webpack/rspack `target: "node"`, esbuild `platform: "node"`).',
      file,
    },
  )
}

/** Output formats whose chunks may contain top-level await. */
const tlaFormats = new Set(['es', 'esm', 'module', 'system', 'systemjs'])

/** Whether an output format supports the top-level await of the generated ESM code. */
export function supportsTopLevelAwait(format: string | undefined): boolean {
  return format === undefined || tlaFormats.has(format)
}

/** ERR_PLUGIN_OUTPUT_FORMAT: ESM (top-level await) secret modules cannot go into this output format. */
export function outputFormatError(format: string, files: readonly string[]): KmsSecretsError {
  const list = files.slice(0, 3).join(', ') + (files.length > 3 ? `, … (${files.length} files)` : '')
  return new KmsSecretsError(
    'ERR_PLUGIN_OUTPUT_FORMAT',
    `Output format "${format}" cannot hold the top-level await that decrypts ${list}.`,
    {
      hint:
        "Set `output.format: 'es'`, or set the plugin option `sync: true` to decrypt synchronously at module " +
        'init (a worker thread blocks startup until KMS answers).',
      file: files[0],
    },
  )
}
