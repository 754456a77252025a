import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createFakeKms, type FakeKms } from '@kms-secrets/testkit/fake-kms'
import { validateAnyEnvelope } from '../../src/envelope/validate.js'
import type { ErrorCode } from '../../src/errors.js'

/**
 * Loader for the committed v1 test vectors (test/vectors/manifest.json), shared by core and runtime tests:
 * `loadVectors()` → entries with their envelope text; `vectorKms(manifest)` → the deterministic fake KMS they need.
 */
export interface VectorEntry {
  name: string
  /** File name in the vectors directory. */
  envelope: string
  /** Open with this expected id (ERR_ENVELOPE_MISMATCH vectors). */
  expectedId?: string
  /** "project": mode project (FORMAT.md §10); openers without project support skip these. */
  mode?: 'project'
  expect: { plaintext: string; value: unknown } | { error: ErrorCode }
}

export interface VectorManifest {
  description: string
  kms: { type: 'fake-kms'; seed: string; keys: string[]; region: string }
  procedure: string
  vectors: VectorEntry[]
}

export const vectorsDir: string = fileURLToPath(new URL('../vectors/', import.meta.url))

export function loadVectors(dir: string = vectorsDir): {
  manifest: VectorManifest
  entries: (VectorEntry & { text: string })[]
} {
  const manifest = JSON.parse(readFileSync(`${dir}/manifest.json`, 'utf8')) as VectorManifest
  const entries = manifest.vectors.map((v) => ({ ...v, text: readFileSync(`${dir}/${v.envelope}`, 'utf8') }))
  return { manifest, entries }
}

/** The vectors whose text is a valid envelope (of any mode): JSON that validateAnyEnvelope accepts. */
export function validVectorEntries(entries: (VectorEntry & { text: string })[] = loadVectors().entries) {
  return entries.filter((e) => {
    try {
      validateAnyEnvelope(JSON.parse(e.text))
      return true
    } catch {
      return false
    }
  })
}

/** The fake KMS the vectors were sealed with (same seed and keys). */
export function vectorKms(manifest: VectorManifest): FakeKms {
  return createFakeKms({ seed: manifest.kms.seed, keys: manifest.kms.keys, region: manifest.kms.region })
}
