import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

/** The first entry of a rollup/rolldown `input` option (string, array or name → path record). */
function firstInput(input: unknown): string | undefined {
  if (typeof input === 'string') return input
  if (Array.isArray(input)) return typeof input[0] === 'string' ? input[0] : undefined
  if (input !== null && typeof input === 'object') {
    const first = Object.values(input)[0]
    return typeof first === 'string' ? first : undefined
  }
  return undefined
}

/**
 * rollup and rolldown have no project root: take the nearest directory with a package.json above the first input,
 * so a build started from elsewhere (a monorepo root, a script) still resolves the runtime from the project's own
 * node_modules rather than inlining it. Undefined when the input gives no such directory.
 */
export function projectRootOf(input: unknown, cwd: string = process.cwd()): string | undefined {
  const entry = firstInput(input)
  if (entry === undefined || entry.startsWith('\0')) return undefined
  for (let dir = dirname(resolve(cwd, entry)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) return undefined
  }
}
