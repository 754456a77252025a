import { createSealer, type KmsProvider, parseSecretFile, type SealedEnvelope } from '@kms-secrets/core'

/**
 * JSON secret files `[id, value]` sealed under `keyId` with ONE sealer, as a build seals them: one GenerateDataKey,
 * one data key shared by all (zeroed after), `context` bound if given.
 */
export async function sealJsonFiles(
  provider: KmsProvider,
  keyId: string,
  files: [id: string, value: unknown][],
  context?: Record<string, string>,
): Promise<SealedEnvelope[]> {
  const sealer = createSealer({ provider, keyId, context })
  try {
    const out: SealedEnvelope[] = []
    for (const [id, value] of files) {
      const parsed = parseSecretFile(JSON.stringify(value), 'json', id)
      out.push(await sealer.seal({ id, format: 'json', payload: parsed.payload, shape: parsed.shape }))
    }
    return out
  } finally {
    sealer.dispose()
  }
}

/** `value` as the JSON secret file `id`, sealed under `keyId` with a data key of its own. */
export async function sealJson(
  provider: KmsProvider,
  keyId: string,
  value: unknown,
  id = 'db.secret.json',
): Promise<SealedEnvelope> {
  const [env] = await sealJsonFiles(provider, keyId, [[id, value]])
  return env as SealedEnvelope
}
