import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { examples, frameworkExamples } from './utils/example.js'
import { repoDir } from './utils/fixture.js'
import { readmeBlocks } from './utils/readme.js'
import { policyActions } from './utils/seed.js'

const blocks = readmeBlocks()
const read = (path: string) => readFileSync(join(repoDir, path), 'utf8')

describe('README.md: every snippet is an example file, run by a test, or checked here', () => {
  test('every code block carries a marker saying how it is exercised', () => {
    const kinds = new Set(['file', 'excerpt', 'deps', 'run', 'exercised-by', 'policy', 'checked'])
    expect(blocks.length).toBeGreaterThan(10)
    expect(blocks.filter((b) => !kinds.has(b.kind)).map((b) => b.body.split('\n')[0])).toEqual([])
  })

  test('the bundler config snippets are the examples’ config files, byte for byte, one per example', () => {
    const files = blocks.filter((b) => b.kind === 'file')
    for (const b of files) expect(b.body, b.arg).toBe(read(b.arg))
    expect(new Set(files.map((b) => b.arg.split('/')[1]))).toEqual(new Set([...examples, ...frameworkExamples]))
  })

  test('excerpts appear, in order, in the file they quote', () => {
    for (const b of blocks.filter((x) => x.kind === 'excerpt')) {
      const lines = read(b.arg).split('\n')
      let at = 0
      for (const line of b.body.split('\n').filter((l) => l.trim() !== '')) {
        const found = lines.indexOf(line, at)
        expect(found, `${b.arg}: ${line}`).toBeGreaterThanOrEqual(at)
        at = found + 1
      }
    }
  })

  test('the install lines match what every example depends on', () => {
    const deps = blocks.find((b) => b.kind === 'deps')!
    const dev = /pnpm add -D (.+)/.exec(deps.body)![1]!.split(' ')
    const prod = /pnpm add (?!-D)(.+)/.exec(deps.body)![1]!.split(' ')
    for (const name of examples) {
      const pkg = JSON.parse(read(`examples/${name}/package.json`)) as Record<string, Record<string, string>>
      for (const d of dev) expect(Object.keys(pkg.devDependencies ?? {}), name).toContain(d)
      for (const d of prod) expect(Object.keys(pkg.dependencies ?? {}), name).toContain(d)
    }
  })

  test('each framework example has its own install lines: devDependencies after -D, dependencies otherwise', () => {
    const own = blocks.filter((b) => b.kind === 'deps' && !b.arg.includes('*'))
    expect(own.map((b) => b.arg.split('/')[1]).sort()).toEqual([...frameworkExamples].sort())
    for (const b of own) {
      const pkg = JSON.parse(read(b.arg)) as Record<string, Record<string, string>>
      const dev = /pnpm add -D (.+)/.exec(b.body)![1]!.split(' ')
      const prod = /pnpm add (?!-D)(.+)/.exec(b.body)![1]!.split(' ')
      for (const d of dev) expect(Object.keys(pkg.devDependencies ?? {}), b.arg).toContain(d)
      for (const d of prod) expect(Object.keys(pkg.dependencies ?? {}), b.arg).toContain(d)
    }
  })

  test('blocks exercised elsewhere name an existing test', () => {
    for (const b of blocks.filter((x) => x.kind === 'exercised-by')) expect(existsSync(join(repoDir, b.arg))).toBe(true)
    const runs = blocks.filter((b) => b.kind === 'run').map((b) => b.arg)
    expect(runs.sort()).toEqual(['local-dev', 'local-kms', 'project-key', 'sealed-on-disk'])
  })

  test('the CAM policies grant exactly what the e2e identities are granted, on one key resource', () => {
    for (const role of ['sealing', 'runtime'] as const) {
      const b = blocks.find((x) => x.kind === 'policy' && x.arg === role)!
      const policy = JSON.parse(b.body) as {
        version: string
        statement: { effect: string; action: string[]; resource: string[] }[]
      }
      expect(policy.version).toBe('2.0')
      expect(policy.statement).toHaveLength(1)
      const [statement] = policy.statement
      expect(statement!.effect).toBe('allow')
      expect(statement!.action.map((a) => a.replace(/^kms:/, '')).sort()).toEqual([...policyActions[role]].sort())
      expect(statement!.resource).toHaveLength(1)
      expect(statement!.resource[0]).toMatch(/^qcs::kms:[a-z]+-[a-z]+:uin\/(\d+):key\/creatorUin\/\1\/[0-9a-f-]{36}$/)
    }
  })

  test('every relative link points at a file or directory of the repository', () => {
    const links = [...read('README.md').matchAll(/\]\(((?!https?:|#)[^)\s]+)\)/g)].map((m) => m[1]!)
    expect(links.length).toBeGreaterThan(5)
    expect(links.filter((l) => !existsSync(join(repoDir, l)))).toEqual([])
  })

  test('the two first commands exist: pnpm pinned, demo and test scripts, .ci/run runs the same', () => {
    const quick = blocks.find((b) => b.kind === 'checked' && b.arg === 'quickstart')!
    expect(quick.body).toBe('npm i -g pnpm@12.4.2 && pnpm install && pnpm demo\npnpm test\n')
    const pkg = JSON.parse(read('package.json')) as { packageManager: string; scripts: Record<string, string> }
    expect(pkg.packageManager).toBe('pnpm@12.4.2')
    expect(pkg.scripts.demo).toBe('pnpm build && node scripts/demo.mjs')
    expect(pkg.scripts.test).toMatch(/vitest run/)
    expect(read('.ci/run')).toMatch(/npm i -g pnpm@12\.4\.2[\s\S]*pnpm install --frozen-lockfile[\s\S]*pnpm test/)
  })
})
