import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type RunResult, runProcess } from '@kms-secrets/testkit/process'

export const hardeningDir: string = join(dirname(fileURLToPath(import.meta.url)), '..')
export const testDir: string = join(hardeningDir, '..')
export const repoDir: string = join(testDir, '..')
export const cliBin: string = join(repoDir, 'packages', 'cli', 'bin', 'kms-secrets.mjs')
export const localKmsBin: string = join(repoDir, 'packages', 'local-kms', 'bin', 'local-kms.mjs')

/**
 * A scratch dir under test/.tmp (gitignored): build outputs and child scripts must live inside the workspace so the
 * bare imports they keep (@kms-secrets/runtime, the Tencent SDK) resolve from test/node_modules.
 */
export function makeWorkDir(prefix: string): { dir: string; remove(): void } {
  const base = join(testDir, '.tmp')
  mkdirSync(base, { recursive: true })
  const dir = mkdtempSync(join(base, `hardening-${prefix}-`))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export type { RunResult }

/** Runs `node <args>` with exactly `env`, kills it (SIGKILL) after `timeoutMs`. */
export function runNode(
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string },
): Promise<RunResult> {
  return runProcess([process.execPath, ...args], options)
}
