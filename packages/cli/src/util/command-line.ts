import process from 'node:process'

/**
 * Splits an $EDITOR-style command line the simple way a shell would: whitespace separates words; single quotes keep
 * everything literally; double quotes keep spaces and allow \" and \\; a backslash outside quotes escapes one char.
 * No expansion of variables, globs or `~`.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: '"' | "'" | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quote === "'") {
      if (c === "'") quote = undefined
      else word += c
    } else if (quote === '"') {
      if (c === '"') quote = undefined
      else if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i]
      else word += c
    } else if (c === "'" || c === '"') {
      quote = c
      inWord = true
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i]
      inWord = true
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else {
      word += c
      inWord = true
    }
  }
  if (inWord) words.push(word)
  return words
}

/** $VISUAL, then $EDITOR, then `vi` (as git and sops do). */
export function resolveEditor(env: NodeJS.ProcessEnv = process.env): string[] {
  const line = env.VISUAL?.trim() || env.EDITOR?.trim() || 'vi'
  const words = splitCommandLine(line)
  return words.length > 0 ? words : ['vi']
}
