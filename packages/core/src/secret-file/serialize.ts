import { stringify } from 'yaml'
import type { SecretFormat } from '../envelope/types.js'
import { KmsSecretsError } from '../errors.js'
import { isPlainObject } from '../util/canonical-json.js'
import { parseEnvText } from './parse-env.js'

const envKeyRE = /^[\w.-]+$/

function readsBack(line: string, text: string): boolean {
  try {
    return parseEnvText(`K=${line}`, 'value').K === text
  } catch {
    return false
  }
}

function envValue(key: string, value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  if (/^[^\s#'"`\\]*$/.test(text)) return text
  // Pick a quote dotenv reads back verbatim: single quotes keep everything except a single quote.
  for (const q of [`'`, '`', '"']) {
    const line = `${q}${text}${q}`
    if (!text.includes(q) && readsBack(line, text)) return line
  }
  throw new KmsSecretsError('ERR_SECRET_FORMAT', `The value of ${key} cannot be written in dotenv syntax.`, {
    hint: 'Use a .secret.json or .secret.yaml file for values containing every kind of quote.',
  })
}

/** Writes a value back in a file format (for `kms-secrets decrypt`/`edit`). Text → the string as is. */
export function serializeSecret(value: unknown, format: SecretFormat): string {
  if (format === 'text') return typeof value === 'string' ? value : JSON.stringify(value)
  if (format === 'json') return `${JSON.stringify(value, null, 2)}\n`
  if (format === 'yaml') return stringify(value, { version: '1.2' })
  if (!isPlainObject(value)) {
    throw new KmsSecretsError('ERR_SECRET_FORMAT', 'A dotenv secret must be an object of keys.', {
      hint: 'Use json or yaml for nested values.',
    })
  }
  const lines = Object.keys(value).map((key) => {
    if (!envKeyRE.test(key)) {
      throw new KmsSecretsError(
        'ERR_SECRET_FORMAT',
        `The key ${JSON.stringify(key.slice(0, 64))} is not a valid dotenv name.`,
        {
          hint: 'Use a .secret.json or .secret.yaml file for such keys.',
        },
      )
    }
    return `${key}=${envValue(key, value[key])}`
  })
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`
}
