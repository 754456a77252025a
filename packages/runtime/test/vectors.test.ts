import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { rejection } from '@kms-secrets/testkit/fake-kms'
import { describe, expect, it } from 'vitest'
import { createSecretOpener } from '../src/index.js'
// Mode "project" is registered by its subpath, as generated code does for project-key envelopes.
import '../src/project.js'

// Core's committed vectors (v1, v2 and mode project, FORMAT.md §10.5) and their deterministic fake KMS (test/support/vectors.ts is shared with runtime).
const manifestPath = resolve(import.meta.dirname, '../../core/test/vectors/manifest.json')
const shared = existsSync(manifestPath) ? await import('../../core/test/support/vectors.js') : undefined
const loaded = shared?.loadVectors()

describe.skipIf(loaded === undefined)('core v1 test vectors through the runtime', () => {
  const entries = loaded?.entries ?? []
  it.each(entries.map((e) => [e.name, e] as const))('%s', async (_name, entry) => {
    // The runtime gets envelopes as objects embedded by the plugin; expectedId checks happen at build time.
    if (entry.expectedId !== undefined) return
    let envelope: unknown
    try {
      envelope = JSON.parse(entry.text)
    } catch {
      // Text that is not JSON never reaches the runtime (the plugin refuses it); core covers it.
      expect(entry.expect).toEqual({ error: 'ERR_ENVELOPE_PARSE' })
      return
    }
    // A fresh opener per vector: a cold cache, as in a fresh process.
    const opener = createSecretOpener({ provider: shared!.vectorKms(loaded!.manifest), retry: { maxAttempts: 1 } })
    const open = opener.open(envelope as never, { file: entry.envelope })
    if ('error' in entry.expect) expect((await rejection(open)).code).toBe(entry.expect.error)
    else expect(await open).toEqual(entry.expect.value)
  })
})
