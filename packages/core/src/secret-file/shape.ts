import type { Shape } from '../envelope/types.js'
import { isPlainObject } from '../util/canonical-json.js'

const identRE = /^[A-Za-z_$][\w$]*$/

/** Merged shape of array items: the common shape if all agree, else 'unknown'. */
function itemShape(items: unknown[], depth: number): Shape {
  if (items.length === 0) return 'unknown'
  const shapes = items.map((v) => inferShapeAt(v, depth + 1))
  const first = JSON.stringify(shapes[0])
  return shapes.every((s) => JSON.stringify(s) === first) ? shapes[0]! : 'unknown'
}

function inferShapeAt(value: unknown, depth: number): Shape {
  if (value === null) return 'null'
  if (typeof value === 'string') return 'string'
  if (typeof value === 'number') return 'number'
  if (typeof value === 'boolean') return 'boolean'
  if (depth >= 32) return 'unknown'
  if (Array.isArray(value)) return { array: itemShape(value, depth) }
  if (!isPlainObject(value)) return 'unknown'
  const fields: Record<string, Shape> = {}
  for (const key of Object.keys(value)) {
    Object.defineProperty(fields, key, { value: inferShapeAt(value[key], depth + 1), enumerable: true })
  }
  return { object: fields }
}

/** The types of a value's keys — never its values. Deeper than 32 levels becomes 'unknown'. */
export function inferShape(value: unknown): Shape {
  return inferShapeAt(value, 0)
}

function renderAt(shape: Shape, indent: string): string {
  if (typeof shape === 'string') return shape
  if ('array' in shape) {
    const inner = renderAt(shape.array, indent)
    return typeof shape.array === 'string' ? `${inner}[]` : `Array<${inner}>`
  }
  const keys = Object.keys(shape.object)
  if (keys.length === 0) return 'Record<string, never>'
  const next = `${indent}  `
  const lines = keys.map((k) => {
    const name = identRE.test(k) ? k : JSON.stringify(k)
    return `${next}readonly ${name}: ${renderAt(shape.object[k]!, next)}`
  })
  return `{\n${lines.join('\n')}\n${indent}}`
}

/** TypeScript type text of a shape, e.g. `{ readonly host: string; readonly port: number }` (multi-line). */
export function renderShapeType(shape: Shape): string {
  return renderAt(shape, '')
}
