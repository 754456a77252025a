import { KmsSecretsError } from '@kms-secrets/core/errors'

/** A usage error (bad or missing flag/argument): exit code 2. */
export function usageError(
  message: string,
  hint = 'Run the command with --help to see its arguments and options.',
): KmsSecretsError {
  return new KmsSecretsError('ERR_CLI_USAGE', message, hint)
}

/** Wraps a Node fs error for `file` into ERR_CLI_IO; the message names the path and errno code, never content. */
export function ioError(action: string, file: string, cause: unknown): KmsSecretsError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code
  const why =
    code === 'ENOENT'
      ? 'no such file or directory'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : (code ?? 'I/O error')
  return new KmsSecretsError('ERR_CLI_IO', `Cannot ${action} ${file}: ${why}.`, {
    hint: code === 'ENOENT' ? 'Check the path.' : 'Check the path and its permissions.',
    file,
    cause,
  })
}
