/**
 * Finds where a JSON text first goes wrong, for error positions: V8's SyntaxError messages quote the input, so they
 * are never shown. An explicit stack keeps deep nesting from overflowing. Returns the offset and a fixed description.
 */
export interface JsonProblem {
  offset: number
  problem: string
}

const wsRE = /[ \t\n\r]*/y
const numberRE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y
// Unescaped control characters are not allowed in JSON strings (RFC 8259 §7).
// biome-ignore lint/suspicious/noControlCharactersInRegex: the range U+0000–U+001F is exactly what JSON forbids.
const stringBodyRE = /(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*/y

function skipWs(text: string, i: number): number {
  wsRE.lastIndex = i
  wsRE.test(text)
  return wsRE.lastIndex
}

function scanString(text: string, i: number): number | JsonProblem {
  stringBodyRE.lastIndex = i + 1
  stringBodyRE.test(text)
  const end = stringBodyRE.lastIndex
  if (text[end] === '"') return end + 1
  if (end >= text.length) return { offset: i, problem: 'unterminated string' }
  return { offset: end, problem: text[end] === '\\' ? 'bad escape sequence in string' : 'control character in string' }
}

function scanScalar(text: string, i: number): number | JsonProblem {
  const c = text[i]
  if (c === '"') return scanString(text, i)
  for (const word of ['true', 'false', 'null']) if (text.startsWith(word, i)) return i + word.length
  numberRE.lastIndex = i
  if (numberRE.test(text) && numberRE.lastIndex > i) return numberRE.lastIndex
  return { offset: i, problem: i >= text.length ? 'unexpected end of input' : 'unexpected character' }
}

type Frame = { kind: '{' | '['; first: boolean }

/** Returns undefined when the text is valid JSON. */
export function locateJsonError(text: string): JsonProblem | undefined {
  const stack: Frame[] = []
  let i = skipWs(text, 0)
  for (;;) {
    const top = stack.at(-1)
    // Expecting a value (or, in an object, a key) here.
    if (top && text[i] === (top.kind === '{' ? '}' : ']') && top.first) {
      stack.pop()
      i++
    } else {
      if (top?.kind === '{') {
        if (text[i] !== '"') return { offset: i, problem: 'expected a property name in double quotes' }
        const k = scanString(text, i)
        if (typeof k !== 'number') return k
        i = skipWs(text, k)
        if (text[i] !== ':') return { offset: i, problem: "expected ':' after property name" }
        i = skipWs(text, i + 1)
      }
      if (top) top.first = false
      if (text[i] === '{' || text[i] === '[') {
        stack.push({ kind: text[i] as '{' | '[', first: true })
        i = skipWs(text, i + 1)
        continue
      }
      const v = scanScalar(text, i)
      if (typeof v !== 'number') return v
      i = v
    }
    i = skipWs(text, i)
    // After a value: close containers or expect a comma.
    for (;;) {
      const frame = stack.at(-1)
      if (!frame) return i < text.length ? { offset: i, problem: 'unexpected content after the JSON value' } : undefined
      const close = frame.kind === '{' ? '}' : ']'
      if (text[i] === close) {
        stack.pop()
        i = skipWs(text, i + 1)
        continue
      }
      if (text[i] === ',') {
        i = skipWs(text, i + 1)
        break
      }
      return { offset: i, problem: i >= text.length ? 'unexpected end of input' : `expected ',' or '${close}'` }
    }
  }
}
