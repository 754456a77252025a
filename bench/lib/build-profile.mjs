import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { runNode } from './child.mjs'
import { renderProfile, summarizeProfile } from './cpuprofile.mjs'
import { kmsEnv } from './kms.mjs'
import { profileDir } from './profile-run.mjs'
import { fmt } from './stats.mjs'

/** Code origins that are the plugin's own work (our packages, unplugin, the secret-file parsers). */
const pluginOrigins = ['unplugin-kms-secrets', '@kms-secrets/core', 'unplugin', 'unplugin-utils', 'yaml', 'dotenv']
const profiledBuilds = 3

/**
 * A CPU profile (node:inspector, in the build worker) of 3 timed builds of one variant with one bundler, and the CPU
 * per build spent in the plugin's own code. `runWorker(config overrides)` runs the build worker.
 */
export async function profileVariant(ctx, { bundler, variant, runWorker }) {
  const dir = profileDir(ctx, 'build')
  mkdirSync(dir, { recursive: true })
  const profile = join(dir, `${bundler}-${variant.name}.cpuprofile`)
  await runWorker({ bundler, variants: [variant], runs: profiledBuilds, warmup: 1, profile })
  const summary = summarizeProfile(profile, 12, new Map(), 40)
  const pluginMs = summary.buckets.filter((b) => pluginOrigins.includes(b.bucket)).reduce((a, b) => a + b.ms, 0)
  const perBuild = pluginMs / profiledBuilds
  const title = `CPU profile, ${bundler} "${variant.name}" (${profiledBuilds} timed builds; plugin code ${fmt(perBuild)} ms per build)`
  return { pluginMsPerBuild: perBuild, rendered: renderProfile(title, summary) }
}

/**
 * Runs the build worker with `config` as its argv JSON; resolves with its result line. Its working directory is the
 * app's project dir, as when a user runs a build: rollup has no root, so the plugin takes `process.cwd()` as the
 * project root (and from there decides whether the runtime import stays a bare, external specifier).
 */
export function runBuildWorker(worker, ctx, kms, config) {
  return runNode(worker, {
    args: [JSON.stringify(config)],
    env: kmsEnv(kms.endpoint, ctx.ids.build),
    cwd: join(ctx.work, 'build-app'),
    timeoutMs: 600_000,
  })
}
