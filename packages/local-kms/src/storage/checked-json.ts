import { createHash } from 'node:crypto'

/**
 * Data-dir files are `{"format": <tag>, "sha256": <hex of JSON.stringify(data)>, "data": …}`: the format tag
 * identifies our files (a foreign JSON file is refused) and the checksum catches a corrupted byte that would
 * still parse — e.g. in key material.
 */
export function encodeCheckedJson(format: string, data: unknown): string {
  const sha256 = createHash('sha256').update(JSON.stringify(data)).digest('hex')
  return `${JSON.stringify({ format, sha256, data }, null, 2)}\n`
}

/** The `data` of a checked file, or a reason (no values quoted) why it is not one of ours / is damaged. */
export function decodeCheckedJson(text: string, format: string): { data: unknown } | { problem: string } {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return { problem: 'is not valid JSON (truncated or corrupted)' }
  }
  if (!isRecord(parsed) || parsed.format !== format) return { problem: `is not a local-kms file of format ${format}` }
  const sha256 = createHash('sha256').update(JSON.stringify(parsed.data)).digest('hex')
  if (parsed.sha256 !== sha256) return { problem: 'fails its checksum (corrupted)' }
  return { data: parsed.data }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
