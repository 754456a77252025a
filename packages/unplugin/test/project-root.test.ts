import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { projectRootOf } from '../src/core/project-root'

const base = mkdtempSync(join(tmpdir(), 'kms-project-root-'))
const project = join(base, 'app')
mkdirSync(join(project, 'src/server'), { recursive: true })
writeFileSync(join(project, 'package.json'), '{}')
afterAll(() => rmSync(base, { recursive: true, force: true }))

describe('projectRootOf (rollup/rolldown have no root: take the package above the first input)', () => {
  it.each([
    ['a string', join(project, 'src/server/main.js')],
    ['an array', [join(project, 'src/server/main.js'), '/elsewhere/x.js']],
    ['a record', { server: join(project, 'src/server/main.js') }],
  ])('finds it from %s input, wherever the build was started', (_, input) => {
    expect(projectRootOf(input, '/')).toBe(project)
  })

  it('resolves a relative input against the working directory', () => {
    expect(projectRootOf('src/server/main.js', project)).toBe(project)
  })

  it('gives up on virtual ids and missing inputs', () => {
    expect(projectRootOf('\0virtual', project)).toBeUndefined()
    expect(projectRootOf(undefined)).toBeUndefined()
  })
})
