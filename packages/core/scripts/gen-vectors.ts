/**
 * Writes the v1 test vectors into test/vectors/ (run once from packages/core:
 * `node ../../node_modules/.pnpm/unrun@0.2.39/node_modules/unrun/dist/cli.mjs scripts/gen-vectors.ts`).
 * Existing vector files are never overwritten: a different content for an existing name is an error, so old vectors
 * stay frozen and a format change can only ADD vectors.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { buildVectors } from './build-vectors.js'

const dir = resolve(process.argv[2] ?? 'test/vectors')
mkdirSync(dir, { recursive: true })
const { files, manifest } = await buildVectors()
files.set('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`)
let written = 0
for (const [name, content] of files) {
  const path = join(dir, name)
  if (existsSync(path)) {
    if (readFileSync(path, 'utf8') !== content && name !== 'manifest.json') {
      throw new Error(`Refusing to change existing vector ${name}; vectors are frozen (add a new one instead).`)
    }
    if (name !== 'manifest.json') continue
  }
  writeFileSync(path, content)
  written++
}
console.log(`gen-vectors: ${files.size - 1} vectors, ${written} file(s) written to ${dir}`)
