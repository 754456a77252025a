import { describe, expect, it } from 'vitest'
import { resolveEditor, splitCommandLine } from '../src/util/command-line.js'

describe('splitCommandLine', () => {
  it.each([
    ['vim', ['vim']],
    ['  code   --wait ', ['code', '--wait']],
    ['"/Applications/Sublime Text/subl" -w', ['/Applications/Sublime Text/subl', '-w']],
    ["emacsclient -a '' -t", ['emacsclient', '-a', '', '-t']],
    ['my\\ editor --x="a b"', ['my editor', '--x=a b']],
    ['node "C:\\\\x\\\\e.mjs"', ['node', 'C:\\x\\e.mjs']],
    ['', []],
  ])('%j', (line, words) => {
    expect(splitCommandLine(line)).toEqual(words)
  })
})

describe('resolveEditor', () => {
  it('prefers $VISUAL, then $EDITOR, then vi', () => {
    expect(resolveEditor({ VISUAL: 'code --wait', EDITOR: 'nano' })).toEqual(['code', '--wait'])
    expect(resolveEditor({ EDITOR: 'nano -w' })).toEqual(['nano', '-w'])
    expect(resolveEditor({ VISUAL: ' ', EDITOR: '' })).toEqual(['vi'])
  })
})
