import { randomBytes } from 'node:crypto'
import { aesGcmSeal, zero } from '../crypto/aead.js'
import { deriveCommittedKey } from '../crypto/commit.js'
import { envelopeAad } from '../envelope/aad.js'
import { orderEnvelope } from '../envelope/codec.js'
import { saltLength } from '../envelope/commitment.js'
import type { ProjectEnvelope } from '../envelope/types.js'
import { validateAnyEnvelope } from '../envelope/validate.js'
import type { SealInput } from '../seal/sealer.js'
import { fromBase64Strict, toBase64 } from '../util/base64.js'
import { PROJECT_ALG } from './constants.js'
import { projectEnvelopeKms } from './create.js'
import type { ProjectKey } from './file.js'
import { exportSenderDataKey } from './hpke.js'

export interface ProjectSealOptions {
  /** Only for reproducible test vectors: IV, salt and HPKE ephemeral key material sources. */
  randomIv?: () => Uint8Array
  randomSalt?: () => Uint8Array
  randomEkm?: () => Uint8Array
}

/**
 * Seals one value with the project key's PUBLIC half: no provider, no credentials, no network (FORMAT.md §10.3).
 * HPKE SetupBaseS(publicKey, info) → enc; Export(exporter_context, 32) → data key; then the v2 key schedule
 * (salt, commit, AES-256-GCM key) and AES-256-GCM with the v2 AAD. The data key and derived key are zeroed here.
 */
export async function sealWithProjectKey(
  key: ProjectKey,
  input: SealInput,
  options: ProjectSealOptions = {},
): Promise<ProjectEnvelope> {
  const kms = projectEnvelopeKms(key)
  const publicKey = fromBase64Strict(key.publicKey) as Uint8Array
  const { enc, dataKey } = await exportSenderDataKey(publicKey, kms.project, options.randomEkm?.())
  const salt = options.randomSalt?.() ?? new Uint8Array(randomBytes(saltLength))
  const derived = deriveCommittedKey(dataKey, salt)
  zero(dataKey)
  const head: ProjectEnvelope = {
    kmsSecrets: 2,
    alg: PROJECT_ALG,
    mode: 'project',
    id: input.id,
    format: input.format,
    kms,
    context: { ...key.context },
    ...(input.shape === undefined ? {} : { shape: input.shape }),
    enc: toBase64(enc),
    salt: toBase64(salt),
    commit: toBase64(derived.commit),
    iv: '',
    data: '',
    tag: '',
  }
  try {
    const sealed = aesGcmSeal(derived.key, input.payload, envelopeAad(head), options.randomIv?.())
    const env = { ...head, iv: toBase64(sealed.iv), data: toBase64(sealed.data), tag: toBase64(sealed.tag) }
    /* Precondition: what we write is what decodeEnvelope accepts, in on-disk order. */
    return orderEnvelope(validateAnyEnvelope(env, input.id) as ProjectEnvelope)
  } finally {
    zero(derived.key)
  }
}
