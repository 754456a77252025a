import { CipherSuite, DhkemP256HkdfSha256, ExportOnly, HkdfSha256 } from '@hpke/core'
import { projectExporterContext, projectHpkeInfo } from './constants.js'

/**
 * HPKE (RFC 9180) base mode, export-only, on WebCrypto through @hpke/core: the runtime can use this file as is on
 * Node, Bun and Deno. Only the 32-byte exported data key leaves it; the caller zeroes it after the v2 key schedule.
 */
export function createProjectSuite(): CipherSuite {
  return new CipherSuite({ kem: new DhkemP256HkdfSha256(), kdf: new HkdfSha256(), aead: new ExportOnly() })
}

const dataKeyLength = 32

/** Sender side: SetupBaseS(pkR, info) → (enc, Export(exporter_context, 32)). `ekm` only for test vectors. */
export async function exportSenderDataKey(
  publicKey: Uint8Array,
  fingerprint: string,
  ekm?: Uint8Array,
): Promise<{ enc: Uint8Array; dataKey: Uint8Array }> {
  const suite = createProjectSuite()
  const recipientPublicKey = await suite.kem.deserializePublicKey(publicKey)
  const sender = await suite.createSenderContext({
    recipientPublicKey,
    info: projectHpkeInfo(fingerprint),
    ...(ekm === undefined ? {} : { ekm }),
  })
  const dataKey = new Uint8Array(await sender.export(projectExporterContext, dataKeyLength))
  return { enc: new Uint8Array(sender.enc), dataKey }
}

/**
 * Recipient side: SetupBaseR(enc, skR, info) → Export(exporter_context, 32). `privateKey` is the 32-byte P-256
 * scalar (HPKE SerializePrivateKey); it is not modified (the caller zeroes it). Throws on an invalid `enc` or key.
 */
export async function exportRecipientDataKey(
  privateKey: Uint8Array,
  enc: Uint8Array,
  fingerprint: string,
): Promise<Uint8Array> {
  const suite = createProjectSuite()
  const copy = privateKey.slice()
  try {
    const recipientKey = await suite.kem.deserializePrivateKey(copy)
    const recipient = await suite.createRecipientContext({ recipientKey, enc, info: projectHpkeInfo(fingerprint) })
    return new Uint8Array(await recipient.export(projectExporterContext, dataKeyLength))
  } finally {
    copy.fill(0)
  }
}
