/**
 * In-process probes of benchmark 2 (workers/open-many.mjs): the first open of a runtime opener apart from the N−1
 * opens that follow it with the data key cached, without process-start noise; and the CPU profiles taken when a
 * target of benchmark 2 is missed.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createSealer, createTencentProvider, parseSecretFile } from '@kms-secrets/core'
import { buildWithEsbuild } from './app.mjs'
import { runNode } from './child.mjs'
import { renderProfile, summarizeProfile } from './cpuprofile.mjs'
import { keyIds, kmsEnv, spawnLocalKms } from './kms.mjs'
import { profileDir, profileNode } from './profile-run.mjs'
import { prepareStartApps } from './start-apps.mjs'
import { median } from './stats.mjs'

const openMany = fileURLToPath(new URL('../workers/open-many.mjs', import.meta.url))

/** The largest app's files sealed with one data key, as a JSON array of envelopes (ciphertext only). */
async function sealAll(ctx, kms, app) {
  const provider = createTencentProvider({ endpoint: kms.endpoint, credential: ctx.ids.build, region: 'ap-guangzhou' })
  const sealer = createSealer({ provider, keyId: keyIds.calls })
  const envelopes = []
  try {
    for (let i = 0; i < app.n; i++) {
      const id = `s${String(i).padStart(3, '0')}.secret.json`
      const parsed = parseSecretFile(readFileSync(join(app.dir, 'secrets', id), 'utf8'), 'json', id)
      envelopes.push(await sealer.seal({ id, format: 'json', payload: parsed.payload, shape: parsed.shape }))
      parsed.payload.fill(0)
    }
  } finally {
    sealer.dispose()
  }
  const path = join(app.dir, 'envelopes.json')
  writeFileSync(path, JSON.stringify(envelopes))
  return path
}

/** In-process: the first open vs the N−1 next ones (medians of ctx.runs child processes × 5 reps each). */
export async function measureMarginal(ctx, kms, app) {
  const envelopesPath = await sealAll(ctx, kms, app)
  const first = []
  const rest = []
  for (let r = 0; r < ctx.runs; r++) {
    const args = [JSON.stringify({ envelopesPath, reps: ctx.smoke ? 1 : 5 })]
    const { json } = await runNode(openMany, { args, env: kmsEnv(kms.endpoint, ctx.ids.runtime) })
    first.push(json.first)
    rest.push(json.rest)
  }
  return { first: median(first), rest: median(rest), envelopesPath }
}

/** A CPU profile (100 µs sampling) of only the N−1 cached-key opens. */
export async function profileRest(ctx, kms, envelopesPath) {
  const dir = profileDir(ctx, 'open-rest')
  mkdirSync(dir, { recursive: true })
  const profile = join(dir, 'rest.cpuprofile')
  await runNode(openMany, {
    args: [JSON.stringify({ envelopesPath, reps: 3, profile })],
    env: kmsEnv(kms.endpoint, ctx.ids.runtime),
  })
  return summarizeProfile(profile, 12)
}

/**
 * Profiles for the missed targets: one start of the largest sealed app (bundled as measured but from our sources,
 * with a source map to name the packages), and/or only the cached-key opens after the first.
 */
export async function profileMisses(ctx, { literalMet, restMet, envelopesPath }) {
  const big = ctx.config.sizes.at(-1)
  const out = []
  const summaries = {}
  const kms = await spawnLocalKms(ctx.dataDir)
  try {
    if (!literalMet) {
      const app = (await prepareStartApps(ctx, kms))[big]
      const bundle = join(app.dir, 'out', 'sealed-profiled.mjs')
      const plugin = { keyId: keyIds.calls, endpoint: kms.endpoint }
      // From sources (`source` condition): the shipped runtime dist bundles the SDK into one chunk, which would hide
      // which package each frame belongs to.
      await buildWithEsbuild(app.dir, app.entry, bundle, { plugin, sourcemap: 'external', conditions: ['source'] })
      const env = kmsEnv(kms.endpoint, ctx.ids.runtime)
      const summary = await profileNode(bundle, { env, dir: profileDir(ctx, 'first-value') })
      summaries.start = summary
      if (summary)
        out.push(renderProfile(`CPU profile of one start, sealed app with ${big} imports, latency 0`, summary))
    }
    if (!restMet) {
      const summary = await profileRest(ctx, kms, envelopesPath)
      summaries.rest = summary
      out.push(renderProfile(`CPU profile of the ${big - 1} opens after the first (100 µs sampling)`, summary))
    }
  } finally {
    await kms.close()
  }
  return { rendered: out, summaries }
}
