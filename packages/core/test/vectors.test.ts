import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { buildVectors } from '../scripts/build-vectors.js'
import { decodeEnvelope, decodePayload, isKmsSecretsError, openEnvelope } from '../src/index.js'
import { loadVectors, vectorKms, vectorsDir } from './support/vectors.js'

const { manifest, entries } = loadVectors()

async function run(entry: (typeof entries)[number]): Promise<{ bytes: Uint8Array; value: unknown }> {
  const env = decodeEnvelope(entry.text, entry.envelope)
  const provider = vectorKms(manifest)
  const bytes = await openEnvelope(env, { provider, file: entry.envelope, expectedId: entry.expectedId })
  return { bytes, value: decodePayload(bytes, env.format) }
}

describe('committed v1 test vectors', () => {
  it('has positive and negative vectors', () => {
    expect(entries.filter((e) => 'plaintext' in e.expect).length).toBeGreaterThanOrEqual(10)
    expect(entries.filter((e) => 'error' in e.expect).length).toBeGreaterThanOrEqual(40)
  })

  it.each(entries.map((e) => [e.name, e] as const))('%s', async (_name, entry) => {
    if ('error' in entry.expect) {
      const error = await run(entry).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(isKmsSecretsError(error), `${entry.name} must fail with a KmsSecretsError`).toBe(true)
      expect((error as { code: string }).code).toBe(entry.expect.error)
    } else {
      const { bytes, value } = await run(entry)
      expect(new TextDecoder().decode(bytes)).toBe(entry.expect.plaintext)
      expect(value).toEqual(entry.expect.value)
    }
  })

  it('are reproduced byte for byte by scripts/build-vectors.ts (frozen)', async () => {
    const { files } = await buildVectors()
    for (const entry of entries) {
      expect(files.get(entry.envelope), entry.name).toBe(readFileSync(`${vectorsDir}/${entry.envelope}`, 'utf8'))
    }
  })
})
