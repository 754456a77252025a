import { execFileSync } from 'node:child_process'
import { closeSync, constants, openSync, writeSync } from 'node:fs'
import { KmsSecretsError } from '@kms-secrets/core/errors'
import { io } from './io.js'

/** How often to look for a reader; a reader blocks in open() until then. */
const pollMs = 10

export interface FifoServer {
  path: string
  /** Stops serving and zeroes the content. The FIFO node itself goes away with its private directory. */
  close(): void
}

/** mkfifo(1): Node has no mkfifo binding. Mode 0600 inside a 0700 directory. */
function makeFifo(path: string): void {
  try {
    execFileSync('mkfifo', ['-m', '600', path], { stdio: 'ignore', env: io().env })
  } catch (cause) {
    throw new KmsSecretsError('ERR_CLI_UNSAFE', 'Cannot create a named pipe (mkfifo) for an in-memory file.', {
      hint: 'exec --file needs a POSIX system with mkfifo(1); use --env instead.',
      cause,
    })
  }
}

function isErrno(e: unknown, ...codes: string[]): boolean {
  return codes.includes((e as NodeJS.ErrnoException | undefined)?.code ?? '')
}

/**
 * Serves `content` through a named pipe: every time a process opens `path` for reading it receives the whole content
 * then EOF; the bytes travel through the kernel's pipe buffer and are never written to any file system.
 * Non-blocking opens (ENXIO until a reader exists) are polled, so no libuv thread blocks in open().
 */
export function serveFifo(path: string, content: Uint8Array): FifoServer {
  makeFifo(path)
  let fd: number | undefined
  let offset = 0
  let closed = false
  const finish = () => {
    if (fd !== undefined) closeSync(fd)
    fd = undefined
  }
  const tick = () => {
    try {
      if (fd === undefined) {
        fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)
        offset = 0
      }
      while (offset < content.length) offset += writeSync(fd, content, offset)
      finish()
    } catch (e) {
      // ENXIO: no reader yet; EAGAIN: pipe buffer full, resume at `offset` on the next tick. Anything else (EPIPE:
      // the reader went away early) drops this reader; the next one gets the whole content again.
      if (!isErrno(e, 'ENXIO', 'EAGAIN')) finish()
    }
  }
  const timer = setInterval(tick, pollMs)
  return {
    path,
    close() {
      if (closed) return
      closed = true
      clearInterval(timer)
      finish()
      content.fill(0)
    },
  }
}
