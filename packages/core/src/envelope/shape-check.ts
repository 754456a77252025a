import { isPlainObject } from '../util/canonical-json.js'
import type { Shape } from './types.js'

/** Deepest `shape` nesting accepted; keeps validation and type rendering far from the stack limit. */
export const maxShapeDepth = 64

const leafShapes: ReadonlySet<unknown> = new Set(['string', 'number', 'boolean', 'null', 'unknown'])

/** True when `value` is a well-formed `Shape` no deeper than `maxShapeDepth`. Never throws. */
export function isShape(value: unknown, depth = 0): value is Shape {
  if (depth > maxShapeDepth) return false
  if (typeof value === 'string') return leafShapes.has(value)
  if (!isPlainObject(value)) return false
  const keys = Object.keys(value)
  if (keys.length !== 1) return false
  if (keys[0] === 'array') return isShape(value.array, depth + 1)
  if (keys[0] !== 'object' || !isPlainObject(value.object)) return false
  const fields = value.object
  return Object.keys(fields).every((k) => isShape(fields[k], depth + 1))
}
