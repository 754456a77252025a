/**
 * Error codes (`ERR_*`) carried by a build failure, whatever the bundler wrapped them in: rollup/rolldown/vite keep
 * the plugin error as `cause`/`pluginCode`, esbuild lists them in `errors[].detail`/`text`, webpack/rspack only keep
 * message text in stats. Tests assert on the code, never on message wording.
 */
export function errorCodesIn(e: unknown, seen = new Set<unknown>()): string[] {
  if (e === null || e === undefined || seen.has(e)) return []
  seen.add(e)
  if (typeof e === 'string') return e.match(/\bERR_[A-Z0-9_]+\b/g) ?? []
  if (typeof e !== 'object') return []
  const o = e as Record<string, unknown>
  const codes: string[] = []
  for (const key of ['code', 'pluginCode']) {
    if (typeof o[key] === 'string' && /^ERR_[A-Z0-9_]+$/.test(o[key] as string)) codes.push(o[key] as string)
  }
  for (const key of ['message', 'text', 'stack']) codes.push(...errorCodesIn(o[key], seen))
  for (const key of ['cause', 'detail', 'error']) codes.push(...errorCodesIn(o[key], seen))
  for (const key of ['errors', 'warnings']) {
    if (Array.isArray(o[key])) for (const item of o[key] as unknown[]) codes.push(...errorCodesIn(item, seen))
  }
  return [...new Set(codes)]
}

/** Awaits a build that must fail and returns the error (fails the test if it succeeded). */
export async function buildFailure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (e) {
    return e
  }
  throw new Error('expected the build to fail, it succeeded')
}

/** All message text of a build failure (bundler wrappers included), to check what it names — never secret values. */
export function errorText(e: unknown, seen = new Set<unknown>()): string {
  if (e === null || e === undefined || seen.has(e)) return ''
  seen.add(e)
  if (typeof e === 'string') return e
  if (typeof e !== 'object') return ''
  const o = e as Record<string, unknown>
  const parts = ['message', 'text', 'hint', 'cause', 'detail', 'error'].map((k) => errorText(o[k], seen))
  for (const key of ['errors', 'warnings']) {
    if (Array.isArray(o[key])) parts.push(...(o[key] as unknown[]).map((item) => errorText(item, seen)))
  }
  return parts.filter(Boolean).join('\n')
}
