import dotenv from 'dotenv'
import { parseError, positionAt } from './position'

// dotenv's own line grammar: optional `export`, key of [\w.-], then `=` (or `: `), then the value.
const entryRE = /[ \t]*(?:export[ \t]+)?([\w.-]+)(?:[ \t]*=[ \t]*|:[ \t]+)/y
const blankOrCommentRE = /[ \t]*(?:#[^\n]*)?(?=\n|$)/y
const trailingRE = /[ \t]*(?:#[^\n]*)?(?=\n|$)/y

function lineEnd(text: string, i: number): number {
  const n = text.indexOf('\n', i)
  return n < 0 ? text.length : n
}

/** Index just after a quoted value starting at `i` (may span lines, like dotenv), or -1 if unterminated. */
function quotedEnd(text: string, i: number): number {
  const q = text[i]
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\' && text[j + 1] === q) j++
    else if (text[j] === q) return j + 1
  }
  return -1
}

function sticky(re: RegExp, text: string, i: number): number {
  re.lastIndex = i
  return re.test(text) ? re.lastIndex : -1
}

/** One `KEY=value` entry at `i`: returns its key, raw value text and the index after it. */
function scanEntry(text: string, i: number, file: string) {
  const fail = (at: number, problem: string) => parseError(file, 'dotenv', positionAt(text, at), problem)
  entryRE.lastIndex = i
  const m = entryRE.exec(text)
  if (!m) throw fail(i + (/^[ \t]*/.exec(text.slice(i, i + 256))?.[0].length ?? 0), 'expected KEY=value')
  const start = entryRE.lastIndex
  let end: number
  if (`'"\``.includes(text[start] ?? '\n') && text[start] !== undefined) {
    end = quotedEnd(text, start)
    if (end < 0) throw fail(start, 'unterminated quoted value')
    const after = sticky(trailingRE, text, end)
    if (after < 0) throw fail(end, 'unexpected text after the closing quote')
  } else {
    end = lineEnd(text, start)
  }
  return { key: m[1]!, raw: text.slice(start, end), next: lineEnd(text, end) + 1 }
}

/**
 * dotenv syntax with file:line:column errors for malformed lines (dotenv itself skips them silently); values are
 * produced by dotenv's own `parse`, one entry at a time. Later duplicates win, as in dotenv.
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
