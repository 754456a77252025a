import type { Identity } from '../auth/identity.js'
import { decodeCheckedJson, encodeCheckedJson, isRecord } from './checked-json.js'

export const identitiesFileName = 'identities.json'
export const identitiesFormat = 'local-kms/identities@1'

export function encodeIdentitiesFile(identities: Identity[]): string {
  return encodeCheckedJson(identitiesFormat, identities)
}

export function decodeIdentitiesFile(text: string): Identity[] | string {
  const decoded = decodeCheckedJson(text, identitiesFormat)
  if ('problem' in decoded) return decoded.problem
  if (!Array.isArray(decoded.data)) return 'has no identity list'
  for (const item of decoded.data) {
    if (!isIdentity(item)) return 'holds an invalid identity'
  }
  return decoded.data as Identity[]
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string')
}

function isIdentity(value: unknown): value is Identity {
  return (
    isRecord(value) &&
    typeof value.secretId === 'string' &&
    typeof value.secretKey === 'string' &&
    isStringList(value.allow) &&
    isStringList(value.keys) &&
    (value.token === undefined || typeof value.token === 'string')
  )
}
