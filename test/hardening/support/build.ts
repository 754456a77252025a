import { build, type PluginOptions } from '@kms-secrets/testkit/build'

/**
 * The testkit's rollup build (ESM `server.mjs`, or CJS `server.cjs` which needs the plugin's `sync: true`), source
 * maps on, no declaration files. Bare imports stay external and resolve from test/node_modules at run time.
 * Returns the entry file.
 */
export async function buildWithRollup(o: {
  root: string
  entry: string
  outDir: string
  plugin: PluginOptions
  format?: 'esm' | 'cjs'
}): Promise<string> {
  const { format = 'esm', plugin, ...rest } = o
  const out = await build.rollup({
    ...rest,
    cacheDir: o.outDir,
    format,
    sourcemap: 'external',
    plugin: { dts: false, ...plugin },
  })
  return out.entryFile
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
