import { readFileSync } from 'node:fs'
import { errorCodes } from '@kms-secrets/core/errors'
import { describe, expect, it } from 'vitest'
import { exitCodeFor, exitCodes } from '../src/exit-codes.js'

describe('exit-code table', () => {
  it('maps every error code of core', () => {
    for (const code of errorCodes) expect(exitCodes, code).toHaveProperty(code)
  })

  it('gives each code its own number, none 0, all < 126 (shell-reserved above)', () => {
    const values = Object.values(exitCodes)
    expect(new Set(values).size).toBe(values.length)
    for (const v of values) expect(v > 0 && v < 126).toBe(true)
  })

  it('unknown codes map to 1', () => {
    expect(exitCodeFor('ERR_FROM_THE_FUTURE')).toBe(1)
  })

  it('is documented row by row in README.md', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    for (const [code, n] of Object.entries(exitCodes))
      expect(readme).toMatch(new RegExp(`\\|\\s*${n}\\s*\\|\\s*\`${code}\`\\s*\\|`))
  })
})
