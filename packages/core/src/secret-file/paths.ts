import type { SecretFormat } from '../envelope/types.js'

/** `*.secret.{json,yaml,yml,env,txt,pem,key,crt}` at the end of a module id, ignoring a `?query`. */
export const secretFileRE = /\.secret\.(?:json|ya?ml|env|txt|pem|key|crt)(?:\?.*)?$/

const formatByExt: Record<string, SecretFormat> = {
  json: 'json',
  yaml: 'yaml',
  yml: 'yaml',
  env: 'env',
  txt: 'text',
  pem: 'text',
  key: 'text',
  crt: 'text',
}

/** The secret format of a path by its extension (query ignored), or undefined. */
export function formatFromPath(path: string): SecretFormat | undefined {
  const clean = path.replace(/[?#].*$/, '')
  const dot = clean.lastIndexOf('.')
  if (dot < 0) return undefined
  return Object.hasOwn(formatByExt, clean.slice(dot + 1).toLowerCase())
    ? formatByExt[clean.slice(dot + 1).toLowerCase()]
    : undefined
}
