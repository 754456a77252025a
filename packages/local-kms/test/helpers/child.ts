/** The port in the bin's first stdout line, which must be exactly its listening line. */
export function portOf(line: string): number {
  const m = /^local-kms listening on http:\/\/127\.0\.0\.1:(\d+)$/.exec(line)
  if (!m) throw new Error(`unexpected first line: ${line}`)
  return Number(m[1])
}
