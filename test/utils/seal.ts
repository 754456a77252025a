import { readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { createSealer, createTencentProvider, encodeEnvelope, formatFromPath, parseSecretFile } from '@kms-secrets/core'
import type { Identity } from './seed.js'

/**
 * The "sealed on disk" workflow done with core's API: replaces each plaintext secret file of `appDir` with its sealed
 * envelope (one GenerateDataKey for all of them), as `kms-secrets encrypt -i` does.
 */
export async function sealFilesInPlace(
  appDir: string,
  files: readonly string[],
  kms: { endpoint: string; keyId: string; identity: Identity },
): Promise<void> {
  const provider = createTencentProvider({ endpoint: kms.endpoint, credential: kms.identity, region: 'ap-guangzhou' })
  const sealer = createSealer({ provider, keyId: kms.keyId })
  try {
    for (const file of files) {
      const path = join(appDir, file)
      const format = formatFromPath(path)
      if (!format) throw new Error(`not a secret file: ${file}`)
      const parsed = parseSecretFile(readFileSync(path, 'utf8'), format, path)
      const envelope = await sealer.seal({ id: basename(file), format, payload: parsed.payload, shape: parsed.shape })
      writeFileSync(path, encodeEnvelope(envelope))
    }
  } finally {
    sealer.dispose()
  }
}
