import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { expect } from 'vitest'
import { runCli } from './cli.js'

/** Writes plaintext `text` to dir/name and seals it in place with the real CLI; returns the envelope object. */
export async function sealFixture(
  dir: string,
  name: string,
  text: string,
  opts: { endpoint: string; keyId: string; extra?: string[] },
): Promise<Record<string, unknown>> {
  const file = path.join(dir, name)
  writeFileSync(file, text)
  const r = await runCli(['encrypt', name, '--key-id', opts.keyId, '-i', ...(opts.extra ?? [])], {
    endpoint: opts.endpoint,
    as: 'sealer',
    cwd: dir,
  })
  expect(r.stderr).toMatch(/sealed 1 file/)
  expect(r.code).toBe(0)
  return JSON.parse(readFileSync(file, 'utf8'))
}
