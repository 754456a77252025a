import { isKmsSecretsError, messageWithoutCode } from '@kms-secrets/core/errors'
import { exitCodeFor, unexpectedExitCode } from '../exit-codes.js'
import { io } from './io.js'

/** Colours only on a terminal, and not with NO_COLOR set (https://no-color.org). */
function useColor(): boolean {
  const { stderr, env } = io()
  return Boolean((stderr as { isTTY?: boolean }).isTTY) && env.NO_COLOR === undefined
}

function paint(open: number, text: string): string {
  return useColor() ? `\u001B[${open}m${text}\u001B[39m` : text
}

export const red = (s: string): string => paint(31, s)
export const yellow = (s: string): string => paint(33, s)
export const dim = (s: string): string => (useColor() ? `\u001B[2m${s}\u001B[22m` : s)

/** A line on stderr (progress, notes): stdout stays reserved for output a script may parse. */
export function note(text: string): void {
  io().stderr.write(`${text}\n`)
}

export function warn(text: string): void {
  io().stderr.write(`${yellow('warning:')} ${text}\n`)
}

function isUsageError(e: unknown): e is Error {
  return e instanceof Error && e.name === 'CACError'
}

/** Node system errors (ENOENT, EACCES…) carry a syscall; their messages name a path, never file content. */
function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string'
}

/**
 * Prints `error: <message>` and `hint: <hint>` on stderr and returns the exit code. The stack only with --debug.
 * Messages of unknown errors are not printed without --debug: they might quote input (e.g. a SyntaxError).
 */
export function reportError(e: unknown, debug: boolean): number {
  const out = (line: string) => io().stderr.write(`${line}\n`)
  if (isKmsSecretsError(e)) {
    const kms = e.kmsCode ? ` (KMS ${e.kmsCode}${e.requestId ? `, RequestId ${e.requestId}` : ''})` : ''
    // The message starts with its code; it is printed once, at the end, as for the other errors.
    out(`${red('error:')} ${messageWithoutCode(e)}${kms} ${dim(`[${e.code}]`)}`)
    if (e.hint) out(`${yellow('hint:')} ${e.hint}`)
    if (debug && e.stack) out(dim(e.stack))
    return exitCodeFor(e.code)
  }
  if (isUsageError(e)) {
    out(`${red('error:')} ${e.message} ${dim('[ERR_CLI_USAGE]')}`)
    out(`${yellow('hint:')} Run the command with --help to see its arguments and options.`)
    return exitCodeFor('ERR_CLI_USAGE')
  }
  if (isSystemError(e)) {
    out(`${red('error:')} ${e.message} ${dim('[ERR_CLI_IO]')}`)
    if (debug && e.stack) out(dim(e.stack))
    return exitCodeFor('ERR_CLI_IO')
  }
  const name = e instanceof Error ? e.name : typeof e
  out(`${red('error:')} unexpected ${name} ${dim('[ERR_INTERNAL]')}`)
  out(
    `${yellow('hint:')} This is a bug in kms-secrets; please report it with the output of --debug (check it for secrets first).`,
  )
  if (debug) out(dim(e instanceof Error ? (e.stack ?? e.message) : String(e)))
  return unexpectedExitCode
}
