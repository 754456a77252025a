import { KmsSecretsError } from '@kms-secrets/core/errors'
import {
  authError,
  type CallOptions,
  canonicalJson,
  checkReportedKeyId,
  commitmentError,
  type DecryptResult,
  type ProjectEnvelope,
  projectEncryptionContext,
  projectExporterContext,
  projectHpkeInfo,
  projectSuite,
  type SealedEnvelope,
} from '@kms-secrets/core/open'
import type { DecryptProvider } from '../kms/tencent-decrypt.js'
import { fromBase64 } from '../kms/tencent-decrypt.js'
import { importDataKey, openSealed } from '../opener/data-key.js'
import type { ResolvedOptions } from '../opener/options.js'
import type { ProviderSource } from '../opener/providers.js'
import { callWithRetry, type DecryptTarget } from '../opener/retry.js'
import { SingleFlight } from '../opener/single-flight.js'
import { exportFromEnc, type RecipientKey } from './hpke-receiver.js'
import { importRecipientKey } from './recipient-key.js'

/** An unwrapped project key (non-extractable) with the CMK KMS reported; null when it is not the project's key. */
interface ProjectKeyHandle {
  key: RecipientKey | null
  keyId: string
}

const actionOfWrap = {
  KMS: 'Decrypt',
  RSAES_OAEP_SHA_256: 'AsymmetricRsaDecrypt',
  SM2: 'AsymmetricSm2Decrypt',
} as const

function hex(buf: ArrayBuffer): string {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('')
}

/** FORMAT.md §10.2: the fingerprint of a candidate public key with the envelope's context. */
async function fingerprintOf(publicKey: Uint8Array, context: Record<string, string>): Promise<string> {
  const text = canonicalJson({
    context,
    kmsSecretsProject: 1,
    publicKey: btoa(String.fromCharCode(...publicKey)),
    suite: projectSuite,
  })
  return hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))
}

/** FORMAT.md §10.4 step 2: the one KMS call that unwraps the project private key. */
function unwrapCall(provider: DecryptProvider, env: ProjectEnvelope, opts: CallOptions): Promise<DecryptResult> {
  const { kms } = env
  if (kms.wrap === 'KMS') {
    const encryptionContext = projectEncryptionContext(env.context, kms.project)
    return provider.decrypt({ ciphertextBlob: kms.blob, encryptionContext }, opts)
  }
  const call =
    kms.wrap === 'SM2'
      ? provider.asymmetricSm2Decrypt?.bind(provider, { keyId: kms.keyId, ciphertext: kms.blob })
      : provider.asymmetricRsaDecrypt?.bind(provider, {
          keyId: kms.keyId,
          ciphertext: kms.blob,
          algorithm: 'RSAES_OAEP_SHA_256',
        })
  /* Precondition: the provider implements the asymmetric decrypt the project key's wrap needs. */
  if (call === undefined) {
    throw new KmsSecretsError('ERR_KMS_CONFIG', `The KMS provider cannot call ${actionOfWrap[kms.wrap]}.`, {
      hint: 'Use the runtime default provider (Tencent KMS), or give the custom provider that method.',
      keyId: kms.keyId,
    })
  }
  return call(opts)
}

export interface ProjectOpener {
  /** Opens one mode "project" envelope into its payload bytes (the caller decodes and zeroes them). */
  open(env: ProjectEnvelope, target: DecryptTarget): Promise<Uint8Array>
  clear(): void
  readonly size: number
}

/**
 * Mode "project" (FORMAT.md §10.4): ONE KMS call per distinct project key per process, single-flight, whatever the
 * number of files. The unwrapped private key is imported as a non-extractable ECDH key (the raw scalar is zeroed)
 * and must be the key of `kms.project` (its public key's fingerprint); then, per envelope, HPKE SetupBaseR + Export
 * gives the data key, and the v2 key schedule (commitment, AES-256-GCM) opens the value.
 */
export function createProjectOpener(providers: ProviderSource, o: ResolvedOptions): ProjectOpener {
  const keys = new SingleFlight<ProjectKeyHandle>(true)

  const unwrap = (env: ProjectEnvelope, target: DecryptTarget): Promise<ProjectKeyHandle> => {
    const { kms, context } = env
    const flight = JSON.stringify([target.region, kms.wrap, kms.keyId, kms.blob, kms.project, context])
    return keys.run(flight, async () => {
      const provider = providers.providerFor(target.region)
      const res = await callWithRetry((opts) => unwrapCall(provider, env, opts), o)
      const matches = async (pk: Uint8Array) => (await fingerprintOf(pk, context)) === kms.project
      return { key: await importRecipientKey(res.plaintext, matches), keyId: res.keyId }
    }).promise
  }

  const open = async (env: ProjectEnvelope, target: DecryptTarget): Promise<Uint8Array> => {
    target.action = actionOfWrap[env.kms.wrap]
    const handle = await unwrap(env, target)
    // Checked for EVERY envelope sharing the key, so a copy with an edited kms.keyId cannot ride on it.
    checkReportedKeyId(env, handle.keyId, target.file)
    /* Precondition: KMS returned this project's 32-byte private key. */
    if (handle.key === null) throw commitmentError(target.file)
    const enc = fromBase64(env.enc) ?? new Uint8Array(0)
    const info = projectHpkeInfo(env.kms.project)
    const dataKey = await exportFromEnc(handle.key, enc, info, projectExporterContext, 32).catch(() => {
      throw authError(target.file)
    })
    const dataKeyHandle = await importDataKey(dataKey, handle.keyId)
    return openSealed(dataKeyHandle, env as unknown as SealedEnvelope, target.file)
  }

  return {
    open,
    clear: () => keys.clear(),
    get size() {
      return keys.size
    },
  }
}
