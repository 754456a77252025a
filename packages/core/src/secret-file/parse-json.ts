import { locateJsonError } from './json-locate.js'
import { parseError, positionAt } from './position.js'

/** JSON.parse with file:line:column errors that never quote the input. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    const found = locateJsonError(text)
    const pos = positionAt(text, found?.offset ?? text.length)
    throw parseError(file, 'JSON', pos, found?.problem ?? 'syntax error')
  }
}
