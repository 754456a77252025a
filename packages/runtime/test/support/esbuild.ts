import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'

/** The slice of esbuild's API the tests use (its types are not resolvable from this package). */
export interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { contents: Uint8Array; text: string }[] }>
}

const repo = resolve(import.meta.dirname, '../../../..')

/** esbuild is not a dependency of the runtime; borrow the workspace test package's (or bench's) copy. */
export function loadEsbuild(): Esbuild | undefined {
  const hosts = ['test/package.json', 'bench/package.json'].map((p) => resolve(repo, p)).filter((p) => existsSync(p))
  for (const host of hosts) {
    try {
      const req = createRequire(host)
      return req(req.resolve('esbuild')) as Esbuild
    } catch {
      // try the next host
    }
  }
  return undefined
}
