import { type KmsProvider, type SealedEnvelope, sealSecret } from '../../src/index.js'

/** The text `value` sealed as `id` under fake-key-1 (current format version): the envelope most tests start from. */
export function sealText(provider: KmsProvider, value: string, id = 'a.secret.txt'): Promise<SealedEnvelope> {
  return sealSecret({ provider, keyId: 'fake-key-1', id, format: 'text', payload: new TextEncoder().encode(value) })
}
