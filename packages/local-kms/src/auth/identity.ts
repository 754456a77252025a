/** A caller known to local-kms: TC3 credentials plus what it may do. */
export interface Identity {
  secretId: string
  secretKey: string
  /** Action names, or `*` for every action. */
  allow: string[]
  /** KeyIds or aliases (`alias/<name>` or bare), or `*` for every key. */
  keys: string[]
  /** When set, requests must carry `X-TC-Token` with this value (STS-style temporary credentials). */
  token?: string
}

/** The key facts a permission check looks at. */
export interface KeyRef {
  keyId: string
  alias: string
}

export function isActionAllowed(identity: Identity, action: string): boolean {
  return identity.allow.includes('*') || identity.allow.includes(action)
}

export function isKeyAllowed(identity: Identity, key: KeyRef): boolean {
  return identity.keys.some(
    (entry) => entry === '*' || entry === key.keyId || entry === key.alias || entry === `alias/${key.alias}`,
  )
}

/** True when the identity names this raw KeyId (used to tell "no such key" from "not yours" without leaking). */
export function namesKey(identity: Identity, rawKeyId: string): boolean {
  return identity.keys.includes('*') || identity.keys.includes(rawKeyId)
}
