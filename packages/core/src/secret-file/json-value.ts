import { KmsSecretsError } from '../errors.js'
import { isPlainObject } from '../util/canonical-json.js'

/** Deepest nesting a secret value may have (shape rendering and canonical JSON recurse). */
export const maxValueDepth = 64

const identRE = /^[A-Za-z_$][\w$]*$/

/** JSON path segment: `.name` for identifier-like keys, `["…"]` otherwise. */
export function pathSegment(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`
  return identRE.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`
}

function formatError(file: string, path: string, problem: string): KmsSecretsError {
  const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path
  return new KmsSecretsError('ERR_SECRET_FORMAT', `${file}: the value at ${shown} ${problem}.`, {
    hint: 'Secret files hold JSON-like data: objects, arrays, strings, finite numbers, booleans and null.',
    file,
  })
}

/**
 * Checks that a parsed value is plain JSON data (finite numbers, no dates/maps/binary) and at most
 * `maxValueDepth` deep. Messages name the JSON path (key names are not secret), never a value.
 */
export function checkJsonValue(value: unknown, file: string): void {
  const stack: [unknown, string, number][] = [[value, '$', 0]]
  while (stack.length > 0) {
    const [v, path, depth] = stack.pop()!
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw formatError(file, path, 'is not a finite number')
      continue
    }
    if (depth >= maxValueDepth) throw formatError(file, path, `is nested deeper than ${maxValueDepth} levels`)
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        stack.push([item, path + pathSegment(i), depth + 1])
      })
    } else if (isPlainObject(v)) {
      for (const k of Object.keys(v)) stack.push([v[k], path + pathSegment(k), depth + 1])
    } else {
      throw formatError(file, path, `is a ${typeof v === 'object' ? 'non-JSON object' : typeof v}`)
    }
  }
}
