import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runProcess } from '@kms-secrets/testkit/process'
import { afterAll, describe, expect, it } from 'vitest'

const repo = fileURLToPath(new URL('..', import.meta.url))
const out = mkdtempSync(join(tmpdir(), 'kms-secrets-bench-smoke-'))

/** `node bench/run.mjs <args>` with only PATH and HOME from the test's env, no timeout (the test has its own). */
function runBench(args: string[]) {
  return runProcess([process.execPath, join(repo, 'bench/run.mjs'), ...args], {
    cwd: repo,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    timeoutMs: 0,
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
