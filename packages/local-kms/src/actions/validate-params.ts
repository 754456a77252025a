import { ApiError } from '../server/api-error.js'
import type { FieldSpec, Fields, FieldType } from './define.js'

const safeNameRE = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/

/** A parameter name fit to appear in a message (a name, never a value; odd names are not echoed). */
function nameOf(name: string): string {
  return safeNameRE.test(name) ? name : '(unprintable name)'
}

function hasType(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string'
    case 'integer':
      return Number.isSafeInteger(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value)
    case 'array':
      return Array.isArray(value)
  }
}

function checkField(action: string, name: string, spec: FieldSpec, value: unknown): void {
  if (value === undefined || value === null || (spec.required && value === '')) {
    if (spec.required) throw new ApiError('MissingParameter', `${action} requires the parameter ${name}.`)
    return
  }
  if (!hasType(value, spec.type)) {
    throw new ApiError('InvalidParameter', `The parameter ${name} of ${action} must be of type ${spec.type}.`)
  }
}

/**
 * Checks the request body against an action's fields: unknown name → UnknownParameter, missing required →
 * MissingParameter, wrong JSON type → InvalidParameter. `null` counts as absent (the SDK strips nulls).
 */
export function validateParams(action: string, fields: Fields, body: Record<string, unknown>): Record<string, unknown> {
  for (const name of Object.keys(body)) {
    if (!Object.hasOwn(fields, name)) {
      throw new ApiError('UnknownParameter', `The parameter ${nameOf(name)} is not known for ${action}.`)
    }
  }
  const params: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(fields)) {
    const value = Object.hasOwn(body, name) ? body[name] : undefined
    checkField(action, name, spec, value)
    params[name] = value === null ? undefined : value
  }
  return params
}
