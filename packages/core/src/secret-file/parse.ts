import type { SecretFormat, Shape } from '../envelope/types.js'
import { KmsSecretsError } from '../errors.js'
import { isPlainObject } from '../util/canonical-json.js'
import { checkJsonValue } from './json-value.js'
import { parseEnvText } from './parse-env.js'
import { parseJsonText } from './parse-json.js'
import { parseYamlText } from './parse-yaml.js'
import { parseError } from './position.js'
import { inferShape } from './shape.js'

/** Largest secret file accepted (characters); secrets are small, and parsers must stay fast on hostile input. */
export const maxSecretFileLength = 1024 * 1024

export interface ParsedSecret {
  /** The value an import yields: any JSON value (json/yaml), an object (env) or a string (text). */
  value: unknown
  /** What gets sealed: JSON (UTF-8) of the value, or the UTF-8 text as is. */
  payload: Uint8Array
  shape: Shape
}

const formatNames: Record<SecretFormat, string> = { json: 'JSON', yaml: 'YAML', env: 'dotenv', text: 'text' }

function parseObject(text: string, format: Exclude<SecretFormat, 'text'>, file: string): unknown {
  // A UTF-8 BOM (Windows editors) is not content.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  if (format === 'json') return parseJsonText(body, file)
  if (format === 'yaml') return parseYamlText(body, file)
  return parseEnvText(body, file)
}

/**
 * Parses a plaintext secret file. Malformed → ERR_SECRET_PARSE with file:line:column and a fixed description
 * (never quoting content); json/yaml hold any JSON value, env an object of keys; non-JSON data → ERR_SECRET_FORMAT.
 */
export function parseSecretFile(text: string, format: SecretFormat, file: string): ParsedSecret {
  if (typeof text !== 'string') throw parseError(file, formatNames[format] ?? 'secret', undefined, 'not text')
  if (text.length > maxSecretFileLength) {
    throw new KmsSecretsError('ERR_SECRET_TOO_LARGE', `${file} is larger than ${maxSecretFileLength} characters.`, {
      hint: 'Secret files are meant for small values (credentials, keys, certificates); keep large data elsewhere.',
      file,
    })
  }
  if (format === 'text') return { value: text, payload: new TextEncoder().encode(text), shape: 'string' }
  if (!(format in formatNames)) {
    throw new KmsSecretsError('ERR_SECRET_FORMAT', `${file}: unknown secret format.`, { file })
  }
  const value = parseObject(text, format, file)
  // JSON and YAML hold any value at the top level, as a bundler's JSON import does (arrays, strings, numbers…);
  // dotenv is always an object of keys.
  if (format === 'env' && !isPlainObject(value)) {
    throw parseError(file, formatNames[format], { line: 1, column: 1 }, 'the top level must be an object of keys')
  }
  checkJsonValue(value, file)
  return { value, payload: new TextEncoder().encode(JSON.stringify(value)), shape: inferShape(value) }
}
