import { isAbsolute, join } from 'node:path'
import * as rollup from 'rollup'
import kmsRollup from 'unplugin-kms-secrets/rollup'

export type PluginOptions = NonNullable<Parameters<typeof kmsRollup>[0]>

const isBare = (id: string): boolean => !id.startsWith('.') && !isAbsolute(id) && !id.startsWith('\0')

/**
 * rollup + the plugin, ESM output `server.mjs` (bare imports stay external and resolve from test/node_modules at
 * run time). `extra` plugins run after ours. Returns the entry file.
 */
export async function buildWithRollup(o: {
  root: string
  entry: string
  outDir: string
  plugin: PluginOptions
  extra?: rollup.Plugin[]
  /** `cjs` needs the plugin's `sync: true` (openSecretSync). Default `es`. */
  format?: 'es' | 'cjs'
}): Promise<string> {
  const file = o.format === 'cjs' ? 'server.cjs' : 'server.mjs'
  const bundle = await rollup.rollup({
    input: join(o.root, o.entry),
    external: isBare,
    plugins: [kmsRollup({ dts: false, ...o.plugin }), ...(o.extra ?? [])],
    onwarn: () => undefined,
  })
  try {
    await bundle.write({ dir: o.outDir, format: o.format ?? 'es', entryFileNames: file, sourcemap: true })
  } finally {
    await bundle.close()
  }
  return join(o.outDir, file)
}

/** An entry that imports `./config/<file>` and prints only a SHA-256 of the value (never the value itself). */
export function digestEntry(files: string[]): string {
  const imports = files.map((f, i) => `import v${i} from './config/${f}'`).join('\n')
  // Works in ESM and in rollup's CJS output (imports become requires).
  const values = files.map((_, i) => `v${i}`).join(', ')
  return `${imports}
import { createHash } from 'node:crypto'
const digest = createHash('sha256').update(JSON.stringify([${values}])).digest('hex')
console.log('digest ' + digest)
`
}

/** What `digestEntry` prints for these values. */
export async function expectedDigest(values: unknown[]): Promise<string> {
  const { createHash } = await import('node:crypto')
  return `digest ${createHash('sha256').update(JSON.stringify(values)).digest('hex')}`
}
