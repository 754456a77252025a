import { dirname } from 'node:path'
import { type RunResult, runProcess } from '@kms-secrets/testkit/process'

export type { RunResult }

/**
 * Runs a built file with node in a child process and a clean env, by default with its own dir as cwd (as a deployed
 * server runs); kills it if it does not exit in time.
 */
export function runNode(
  file: string,
  env: NodeJS.ProcessEnv,
  { cwd = dirname(file), timeoutMs = 30_000 }: { cwd?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return runProcess([process.execPath, file], { env, cwd, timeoutMs })
}

/** The JSON digest the fixture apps print (values live only in this captured stdout, never on disk). */
export function parseDigest(run: RunResult): unknown {
  const line = run.stdout.split('\n').find((l) => l.startsWith('{"kmsSecretsDigest"'))
  if (!line) {
    throw new Error(
      `no digest on stdout (exit ${run.code}, signal ${run.signal}); stderr:\n${run.stderr.slice(0, 2000)}`,
    )
  }
  return (JSON.parse(line) as { kmsSecretsDigest: unknown }).kmsSecretsDigest
}
