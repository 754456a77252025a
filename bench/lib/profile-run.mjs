import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { runNode } from './child.mjs'
import { latestProfile, summarizeProfile } from './cpuprofile.mjs'
import { loadSourceMap } from './sourcemap.mjs'

/**
 * Runs `node --cpu-prof file` once and summarises the profile (top frames by self time, CPU by code origin). When
 * `file.map` exists (a bundle built with a source map), frames are attributed to the bundled packages.
 */
export async function profileNode(file, { env, args, dir, top = 12 }) {
  mkdirSync(dir, { recursive: true })
  await runNode(file, { env, args, execArgv: ['--cpu-prof', '--cpu-prof-dir', dir] })
  const path = latestProfile(dir)
  const maps = new Map()
  if (existsSync(`${file}.map`)) maps.set(pathToFileURL(file).href, loadSourceMap(`${file}.map`))
  return path ? summarizeProfile(path, top, maps) : undefined
}

export function profileDir(ctx, name) {
  return join(ctx.work, 'profiles', name)
}
