import { usageError } from './errors.js'

// One step of a path: `.name`, `name` (at the start), `[0]`, `["name"]` or `['name']`.
const stepRE = /^(?:\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\['((?:[^'\\]|\\.)*)'\])/

/**
 * Parses an extract path: JSONPath-like `$.db.password`, `$.hosts[0]`, `$["a.b"]`, the bare `db.password`, or SOPS's
 * `["db"]["password"]`. Returns the keys/indexes in order.
 */
export function parseJsonPath(expr: string): (string | number)[] {
  let rest = expr.trim().replace(/^\$/, '')
  const steps: (string | number)[] = []
  while (rest.length > 0) {
    const m = stepRE.exec(rest)
    if (!m)
      throw usageError(
        `Cannot parse the path "${expr}".`,
        'Use a path like $.db.password, $.hosts[0] or ["db"]["password"].',
      )
    if (m[1] !== undefined) steps.push(m[1])
    else if (m[2] !== undefined) steps.push(Number(m[2]))
    else steps.push((m[3] ?? m[4] ?? '').replace(/\\(.)/g, '$1'))
    rest = rest.slice(m[0].length)
  }
  return steps
}

/** The value at `steps` inside `value`, or a usage error naming the path (key names are not secret). */
export function extractPath(value: unknown, expr: string, file: string): unknown {
  let cur: unknown = value
  for (const step of parseJsonPath(expr)) {
    const next =
      typeof step === 'number' && Array.isArray(cur)
        ? cur[step]
        : typeof cur === 'object' && cur !== null && Object.hasOwn(cur, step)
          ? (cur as Record<string | number, unknown>)[step]
          : undefined
    if (next === undefined)
      throw usageError(`${file} has no value at ${expr}.`, 'Check the path; key names are case-sensitive.')
    cur = next
  }
  return cur
}
