import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoDir } from './fixture.js'

export interface ReadmeBlock {
  /** The marker before the block: `<!-- kind: arg -->`. */
  kind: string
  arg: string
  lang: string
  body: string
}

export const readmePath: string = join(repoDir, 'README.md')

const blockRE = /(?:<!-- ([\w-]+): (.*?) -->\n)?```(\w*)\n([\s\S]*?)```/g

/** Every fenced code block of the README with the marker comment right above it (kind '' when there is none). */
export function readmeBlocks(text: string = readFileSync(readmePath, 'utf8')): ReadmeBlock[] {
  return [...text.matchAll(blockRE)].map((m) => ({ kind: m[1] ?? '', arg: m[2] ?? '', lang: m[3]!, body: m[4]! }))
}

/** The README's `<!-- run: name -->` block, as its command lines. */
export function readmeCommands(name: string): string[] {
  const block = readmeBlocks().find((b) => b.kind === 'run' && b.arg === name)
  if (!block) throw new Error(`README.md has no "<!-- run: ${name} -->" block`)
  return block.body.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))
}
