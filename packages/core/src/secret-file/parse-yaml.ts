import { parseDocument } from 'yaml'
import { parseError, positionAt } from './position.js'

/** Aliases allowed per document: enough for real configs, far below a "billion laughs" expansion. */
const maxAliasCount = 100

/** YAML 1.2 (core schema, unique keys) with file:line:column errors; parser messages are dropped (they quote input). */
export function parseYamlText(text: string, file: string): unknown {
  const doc = parseDocument(text, {
    prettyErrors: false,
    uniqueKeys: true,
    version: '1.2',
    schema: 'core',
    strict: true,
  })
  const first = doc.errors[0]
  if (first) {
    const pos = positionAt(text, first.pos[0])
    throw parseError(file, 'YAML', pos, `${first.code.toLowerCase().replace(/_/g, ' ')}`)
  }
  try {
    return doc.toJS({ maxAliasCount })
  } catch {
    throw parseError(file, 'YAML', undefined, `too many alias expansions (limit ${maxAliasCount})`)
  }
}
