import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const repo = fileURLToPath(new URL('..', import.meta.url))
const out = mkdtempSync(join(tmpdir(), 'kms-secrets-bench-smoke-'))

function runBench(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repo, 'bench/run.mjs'), ...args], {
      cwd: repo,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d) => {
      stderr += d
    })
    child.once('error', reject)
    child.once('exit', (code) => resolve({ code, stderr }))
  })
}

afterAll(() => rmSync(out, { recursive: true, force: true }))

// Not a timed test: the benchmarks run with tiny counts (`--smoke`) only to prove they execute end to end and
// produce their tables and charts. No assertion on any figure.
describe('bench (smoke mode)', () => {
  it('runs every benchmark and writes RESULTS.md with its tables and SVG charts', async () => {
    const { code, stderr } = await runBench(['--smoke', '--out', out])
    expect(code, stderr.slice(-4000)).toBe(0)
    const md = readFileSync(join(out, 'RESULTS.md'), 'utf8')
    for (const title of [
      '## Machine',
      '## Targets',
      '## 1. KMS calls per process start',
      '## 2. Time to first decrypted value',
      '## 3. Build overhead per bundler',
      '## 4. local-kms throughput',
      '## 5a/b. Runtime weight and cold start',
      '## 5c. Fleet start against a 300 QPS quota',
    ]) {
      expect(md).toContain(title)
    }
    for (const bundler of ['vite', 'rollup', 'rolldown', 'esbuild', 'webpack', 'rspack']) {
      expect(md).toMatch(new RegExp(`^\\| ${bundler} \\| \\d`, 'm'))
    }
    expect(md).toMatch(/^\| raw \| Decrypt \| 1 \| [\d,]+ \|/m)
    for (const chart of ['chart.svg', 'throughput.svg']) {
      expect(existsSync(join(out, chart))).toBe(true)
      expect(readFileSync(join(out, chart), 'utf8')).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    }
  }, 600_000)
})
