import dotenv from 'dotenv'
import { parseError, positionAt } from './position.js'

// dotenv's own line grammar: optional `export`, key of [\w.-], then `=` (or `: `), then the value.
const entryRE = /[ \t]*(?:export[ \t]+)?([\w.-]+)(?:[ \t]*=[ \t]*|:[ \t]+)/y
const blankOrCommentRE = /[ \t]*(?:#[^\n]*)?(?=\n|$)/y
const trailingRE = /[ \t]*(?:#[^\n]*)?(?=\n|$)/y

function lineEnd(text: string, i: number): number {
  const n = text.indexOf('\n', i)
  return n < 0 ? text.length : n
}

function sticky(re: RegExp, text: string, i: number): number {
  re.lastIndex = i
  return re.test(text) ? re.lastIndex : -1
}

/**
 * End of a quoted value starting at `i` (it may span lines), mirroring dotenv's `'(?:\\'|[^'])*'` followed by an
 * optional comment and the end of the line: the body cannot pass an unescaped quote; `\'` is preferably an escape,
 * but regex backtracking may take it as the closing quote (latest first). Returns the index after the closing quote,
 * or where the problem is.
 */
function quotedEnd(text: string, i: number): { end: number } | { at: number; problem: string } {
  const q = text[i]
  const candidates: number[] = []
  let unescaped = -1
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\' && text[j + 1] === q) candidates.push(++j)
    else if (text[j] === q) {
      candidates.push(j)
      unescaped = j
      break
    }
  }
  for (let k = candidates.length - 1; k >= 0; k--) {
    const end = candidates[k]! + 1
    if (sticky(trailingRE, text, end) >= 0) return { end }
  }
  if (unescaped >= 0) return { at: unescaped + 1, problem: 'unexpected text after the closing quote' }
  return { at: i, problem: 'unterminated quoted value' }
}

/** One `KEY=value` entry at `i`: returns its key, raw value text and the index after it. */
function scanEntry(text: string, i: number, file: string) {
  const fail = (at: number, problem: string) => parseError(file, 'dotenv', positionAt(text, at), problem)
  entryRE.lastIndex = i
  const m = entryRE.exec(text)
  if (!m) throw fail(i + (/^[ \t]*/.exec(text.slice(i, i + 256))?.[0].length ?? 0), 'expected KEY=value')
  const start = entryRE.lastIndex
  let end = lineEnd(text, start)
  if (text[start] === "'" || text[start] === '"' || text[start] === '`') {
    const quoted = quotedEnd(text, start)
    if ('problem' in quoted) throw fail(quoted.at, quoted.problem)
    end = quoted.end
  }
  return { key: m[1]!, raw: text.slice(start, end), next: lineEnd(text, end) + 1 }
}

/**
 * dotenv syntax with file:line:column errors for malformed lines (dotenv itself skips them silently); values are
 * produced by dotenv's own `parse`, one entry at a time. Later duplicates win, as in dotenv. Stricter than dotenv on
 * purpose: an unterminated quote or text after a closing quote is an error, not a literal value.
 */
export function parseEnvText(input: string, file: string): Record<string, string> {
  const text = input.replace(/\r\n?/g, '\n')
  const out: Record<string, string> = {}
  let i = 0
  while (i <= text.length) {
    const blank = sticky(blankOrCommentRE, text, i)
    if (blank >= 0) {
      i = blank + 1
      continue
    }
    const entry = scanEntry(text, i, file)
    const value = dotenv.parse(`K=${entry.raw}`).K ?? ''
    Object.defineProperty(out, entry.key, { value, enumerable: true, writable: true, configurable: true })
    i = entry.next
  }
  return out
}
