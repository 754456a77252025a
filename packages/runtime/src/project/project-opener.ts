import {
  type KeyHandle,
  PROJECT_FILE_VERSION,
  type ProjectEnvelope,
  projectFingerprintText,
  projectSuite,
  toBase64,
  unwrapProjectKey,
} from '@kms-secrets/core/open'
import { hex } from '../kms/tc3.js'
import type { ResolvedOptions } from '../opener/options.js'
import type { ProjectMaterials } from '../opener/project-mode.js'
import type { ProviderSource } from '../opener/providers.js'
import { callWithRetry, type DecryptTarget } from '../opener/retry.js'
import { SingleFlight } from '../opener/single-flight.js'
import { exportFromEnc, type RecipientKey } from './hpke-receiver.js'
import { importRecipientKey } from './recipient-key.js'

const actionOfWrap = {
  KMS: 'Decrypt',
  RSAES_OAEP_SHA_256: 'AsymmetricRsaDecrypt',
  SM2: 'AsymmetricSm2Decrypt',
} as const

/** FORMAT.md §10.2: the fingerprint of a candidate public key with the envelope's context. */
async function fingerprintOf(publicKey: Uint8Array, context: Record<string, string>): Promise<string> {
  const text = projectFingerprintText({
    context,
    kmsSecretsProject: PROJECT_FILE_VERSION,
    publicKey: toBase64(publicKey),
    suite: projectSuite,
  })
  return hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))
}

/**
 * Mode "project" (FORMAT.md §10.4) as materials of core's open rules: ONE KMS call per distinct project key per
 * process, single-flight, whatever the number of files. The unwrapped private key is imported as a non-extractable
 * ECDH key (the raw scalar is zeroed) and must be the key of `kms.project` (its public key's fingerprint); per
 * envelope, HPKE SetupBaseR + Export (this WebCrypto receiver) gives the data key, and the rules do the rest
 * (reported KeyId, commitment, AES-256-GCM).
 */
export function createProjectMaterials(providers: ProviderSource, o: ResolvedOptions): ProjectMaterials {
  const keys = new SingleFlight<KeyHandle<RecipientKey>>(true)

  const projectKey = (env: ProjectEnvelope, target: DecryptTarget): Promise<KeyHandle<RecipientKey>> => {
    const { kms, context } = env
    target.action = actionOfWrap[kms.wrap]
    const flight = JSON.stringify([target.region, kms.wrap, kms.keyId, kms.blob, kms.project, context])
    return keys.run(flight, async () => {
      const provider = providers.providerFor(target.region)
      const res = await callWithRetry((opts) => unwrapProjectKey(env, provider, opts), o)
      const matches = async (pk: Uint8Array) => (await fingerprintOf(pk, context)) === kms.project
      return { key: await importRecipientKey(res.plaintext, matches), keyId: res.keyId }
    }).promise
  }

  return {
    projectKey,
    hpkeExport: (key, enc, info, exporterContext) => exportFromEnc(key, enc, info, exporterContext, 32),
    clear: () => keys.clear(),
    get size() {
      return keys.size
    },
  }
}
