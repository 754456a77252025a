import { chmodSync, closeSync, openSync, writeSync } from 'node:fs'

/**
 * One line per API call. Only who / what / which key / result: never a request body, plaintext, data key or
 * credential secret.
 */
export interface AuditEntry {
  time: string
  requestId: string
  secretId: string | null
  action: string | null
  keyId: string | null
  code: string
}

/** `<dataDir>/audit.log` (0600), append-only; each line is one write(2) on an O_APPEND fd, so lines never interleave. */
export class AuditLog {
  private fd: number | undefined

  constructor(path: string) {
    this.fd = openSync(path, 'a', 0o600)
    chmodSync(path, 0o600)
  }

  write(entry: AuditEntry): void {
    if (this.fd === undefined) return
    writeSync(this.fd, `${JSON.stringify(entry)}\n`)
  }

  close(): void {
    if (this.fd === undefined) return
    closeSync(this.fd)
    this.fd = undefined
  }
}
