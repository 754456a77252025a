import { isPlainObject } from '../util/canonical-json.js'

export interface Leaf {
  /** JSON path (`$.db.password`, `$.hosts[0]`; `$[line 3]` for a line of a multi-line string). */
  path: string
  value: string
}

const identRE = /^[A-Za-z_$][\w$]*$/
const maxDepth = 64
// PEM armor lines (`-----BEGIN PRIVATE KEY-----`) are public boilerplate that code legitimately contains.
const pemArmorRE = /^-----(BEGIN|END) [A-Z0-9 ]+-----$/

function segment(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`
  return identRE.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`
}

function addString(out: Leaf[], path: string, value: string, minLength: number): void {
  if (value.length >= minLength) out.push({ path, value })
  if (!/[\r\n]/.test(value)) return
  // Lines of multi-line values (PEM bodies, certificates) can leak on their own.
  value.split(/\r\n|\r|\n/).forEach((line, i) => {
    const trimmed = line.trim()
    if (trimmed.length >= minLength && trimmed !== value && !pemArmorRE.test(trimmed))
      out.push({ path: `${path}[line ${i + 1}]`, value: trimmed })
  })
}

/**
 * Every string/number leaf of a secret long enough to be searched for (`minLength` characters), with its JSON path.
 * A text secret yields the whole text (`$`) and each of its lines.
 */
export function collectLeaves(value: unknown, minLength = 6): Leaf[] {
  const out: Leaf[] = []
  const stack: [unknown, string, number][] = [[value, '$', 0]]
  while (stack.length > 0) {
    const [v, path, depth] = stack.pop()!
    if (typeof v === 'string') addString(out, path, v, minLength)
    else if (typeof v === 'number' || typeof v === 'bigint') addString(out, path, String(v), minLength)
    else if (depth >= maxDepth) continue
    else if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], path + segment(i), depth + 1])
    else if (isPlainObject(v)) {
      const keys = Object.keys(v)
      for (let i = keys.length - 1; i >= 0; i--) stack.push([v[keys[i]!], path + segment(keys[i]!), depth + 1])
    }
  }
  return out
}
