import * as nodeCrypto from 'node:crypto'
import { zero } from '../crypto/aead.js'
import type { AnyEnvelope } from '../envelope/types.js'
import type { CallOptions, KmsProvider } from '../kms/types.js'
import { projectPrivateKeyLength } from '../project/constants.js'
import { exportRecipientDataKey } from '../project/hpke.js'
import { type ProjectKeyCache, unwrapProjectKey } from '../project/unwrap.js'
import { type NodeKey, nodeCipher } from './node-cipher.js'
import { importDataKey, type Opener, runOpen } from './rules.js'

export interface OpenOptions {
  provider: KmsProvider
  /** The importing file (for messages). */
  file?: string
  /** When given, the envelope's `id` must equal it (ERR_ENVELOPE_MISMATCH otherwise). */
  expectedId?: string
  callOptions?: CallOptions
  /**
   * Mode "project": unwrap through this cache (one KMS call per project key for many envelopes; the caller
   * disposes it). Without it, every open unwraps the private key once and zeroes it.
   */
  projectKeys?: ProjectKeyCache
}

const cipher = nodeCipher(nodeCrypto)

/**
 * Opens an envelope by the one set of open rules (`runOpen`, rules.ts) on node:crypto: one KMS Decrypt of
 * `kms.blob` (EncryptionContext per `envelopeEncryptionContext`); the CMK KMS reports must be `kms.keyId`
 * (ERR_ENVELOPE_KEY); v2 checks the key commitment (ERR_ENVELOPE_COMMITMENT) before AES-256-GCM with
 * `envelopeAad(env)`; the data key is zeroed before returning. Direct mode: Decrypt's plaintext is the payload.
 * Mode "project": the project private key (one KMS call, or the cache's), HPKE → data key, then the v2 open.
 * Returns the payload bytes (the caller zeroes them when done).
 */
export async function openEnvelope(env: AnyEnvelope, options: OpenOptions): Promise<Uint8Array> {
  const { provider, file, projectKeys, callOptions } = options
  // A private key unwrapped for this one open (no cache): zeroed when it is done.
  let unwrapped: Uint8Array | undefined
  const opener: Opener<NodeKey, Uint8Array> = {
    ...cipher,
    dataKey: async (e, encryptionContext) =>
      importDataKey(cipher, await provider.decrypt({ ciphertextBlob: e.kms.blob, encryptionContext }, callOptions)),
    decrypt: (e, ec) =>
      provider.decrypt(
        { ciphertextBlob: e.kms.blob, ...(ec === undefined ? {} : { encryptionContext: ec }) },
        callOptions,
      ),
    async projectKey(e) {
      const res = projectKeys
        ? await projectKeys.unwrap(e, callOptions)
        : await unwrapProjectKey(e, provider, callOptions)
      if (!projectKeys) unwrapped = res.plaintext
      return { key: res.plaintext.length === projectPrivateKeyLength ? res.plaintext : null, keyId: res.keyId }
    },
    // info and exporter context are FORMAT.md §10.4's, from kms.project: exportRecipientDataKey derives the same.
    hpkeExport: (key, enc) => exportRecipientDataKey(key, enc, (env as { kms: { project: string } }).kms.project),
  }
  try {
    return await runOpen(env, opener, { file, expectedId: options.expectedId })
  } finally {
    zero(unwrapped)
  }
}
