/**
 * The first key that occurs twice in one object of a JSON text, as its path from the root (`["kms", "keyId"]`;
 * array items by index), or undefined when every object's keys are distinct. `JSON.parse` keeps the last of equal
 * keys, so a text with a duplicate holds a value the parsed object does not show: a sealed envelope whose first
 * `"data"` is plaintext would validate as the envelope of its last one (RFC 8259 §4: names SHOULD be unique).
 *
 * Precondition: `text` is valid JSON (JSON.parse accepted it); the scan does not re-check the grammar. Strings are
 * skipped with indexOf (the base64 fields are most of an envelope), so the cost is one step per punctuation and
 * whitespace character outside strings. Keys are compared decoded (`"d\u0061ta"` is `"data"`), as JSON.parse does.
 */
export function findDuplicateKey(text: string): (string | number)[] | undefined {
  // One frame per open object (its keys so far, and in `path` the key being read) or array (null; in `path` the index
  // of the item being read).
  const keys: (string[] | Set<string> | null)[] = []
  const path: (string | number)[] = []
  let expectKey = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c <= 0x20) continue // whitespace: most of what lies outside strings in a pretty-printed envelope
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i)
      if (end < 0) break
      if (expectKey) {
        const raw = text.slice(i + 1, end)
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw
        path[path.length - 1] = key
        if (seen(keys, key)) return path
        expectKey = false
      }
      i = end
    } else if (c === 0x7b /* { */) {
      keys.push([])
      path.push('')
      expectKey = true
    } else if (c === 0x5b /* [ */) {
      keys.push(null)
      path.push(0)
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      keys.pop()
      path.pop()
      expectKey = false // `{}`: no key was read
    } else if (c === 0x2c /* , */) {
      if (keys[keys.length - 1] !== null) expectKey = true
      else (path[path.length - 1] as number)++
    }
  }
  return undefined
}

/** Objects of up to this many keys are searched as a list (cheaper than hashing each key); larger ones use a Set. */
const listMax = 16

/** Whether the innermost object already has `key`; adds it if not. */
function seen(keys: (string[] | Set<string> | null)[], key: string): boolean {
  const top = keys[keys.length - 1]!
  if (Array.isArray(top)) {
    if (top.includes(key)) return true
    top.push(key)
    if (top.length > listMax) keys[keys.length - 1] = new Set(top)
    return false
  }
  if (top.has(key)) return true
  top.add(key)
  return false
}

/** Index of the quote that closes the string opened at `start` (one preceded by an even run of backslashes). */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1)
  while (text.charCodeAt(end - 1) === 0x5c /* \ */) {
    let n = 1
    while (text.charCodeAt(end - 1 - n) === 0x5c) n++
    if (n % 2 === 0) break
    end = text.indexOf('"', end + 1)
  }
  return end
}
