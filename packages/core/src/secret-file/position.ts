import { KmsSecretsError } from '../errors.js'

export interface Position {
  /** 1-based. */
  line: number
  /** 1-based, in UTF-16 code units. */
  column: number
}

/** 1-based line/column of a string offset (`\r\n`, `\r` and `\n` all end a line). */
export function positionAt(text: string, offset: number): Position {
  const end = Math.max(0, Math.min(offset, text.length))
  let line = 1
  let lineStart = 0
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++
      lineStart = i + 1
    }
  }
  return { line, column: end - lineStart + 1 }
}

/**
 * ERR_SECRET_PARSE naming file, line and column. `problem` is a fixed description chosen by us — never text from the
 * input or from a parser message (those quote content).
 */
export function parseError(file: string, format: string, pos: Position | undefined, problem: string): KmsSecretsError {
  const at = pos ? `:${pos.line}:${pos.column}` : ''
  return new KmsSecretsError('ERR_SECRET_PARSE', `${file}${at}: invalid ${format}: ${problem}.`, {
    hint: `Fix the ${format} syntax at that position (the content is not shown on purpose).`,
    file,
  })
}
