import type { ErrorCode } from '@kms-secrets/core/errors'

/**
 * The CLI's exit codes: one stable number per error code (documented in README.md). Grouped by area, with gaps
 * for later codes. Never renumber an entry: scripts branch on these. 1 is "a leak was found" or an unknown failure.
 * Total over core's `errorCodes` (`satisfies Record<ErrorCode, number>`): a new code does not compile until it has
 * its number here.
 */
export const exitCodes = {
  // cli
  ERR_SCAN_LEAK: 1,
  ERR_CLI_USAGE: 2,
  ERR_CLI_IO: 3,
  ERR_CLI_EDITOR: 4,
  ERR_CLI_UNSAFE: 5,
  // envelope / format
  ERR_ENVELOPE_PARSE: 10,
  ERR_ENVELOPE_VERSION: 11,
  ERR_ENVELOPE_FIELD: 12,
  ERR_ENVELOPE_AUTH: 13,
  ERR_ENVELOPE_MISMATCH: 14,
  ERR_ENVELOPE_ALREADY_SEALED: 15,
  ERR_ENVELOPE_COMMITMENT: 16,
  ERR_ENVELOPE_KEY: 17,
  ERR_ENVELOPE_CONTEXT: 18,
  // secret files
  ERR_SECRET_PARSE: 20,
  ERR_SECRET_FORMAT: 21,
  ERR_SECRET_TOO_LARGE: 22,
  ERR_CONTEXT_INVALID: 23,
  // project key (kms-secrets.json)
  ERR_PROJECT_KEY: 25,
  ERR_PROJECT_KEY_EXISTS: 26,
  // KMS
  ERR_KMS_CONFIG: 30,
  ERR_KMS_CREDENTIALS: 31,
  ERR_KMS_UNAUTHORIZED: 32,
  ERR_KMS_KEY_NOT_FOUND: 33,
  ERR_KMS_KEY_DISABLED: 34,
  ERR_KMS_KEY_STATE: 35,
  ERR_KMS_INVALID_CIPHERTEXT: 36,
  ERR_KMS_INVALID_PARAMETER: 37,
  ERR_KMS_THROTTLED: 38,
  ERR_KMS_UNAVAILABLE: 39,
  ERR_KMS_NETWORK: 40,
  ERR_KMS_TIMEOUT: 41,
  ERR_KMS_DECRYPT: 42,
  ERR_KMS_ENCRYPT: 43,
  ERR_KMS_REQUEST: 44,
  // build / plugin (not raised by the CLI today; mapped so the table stays total)
  ERR_PLUGIN_PLAINTEXT_FORBIDDEN: 50,
  ERR_PLUGIN_RAW_IMPORT: 51,
  ERR_PLUGIN_CLIENT_BUNDLE: 52,
  ERR_PLUGIN_LEAK: 53,
  ERR_PLUGIN_OUTPUT_FORMAT: 54,
  ERR_PLUGIN_OPTIONS: 55,
  // runtime (not raised by the CLI)
  ERR_RUNTIME_BUILD_PHASE: 60,
  ERR_RUNTIME_WORKER: 61,
  // broken invariant
  ERR_INTERNAL: 70,
} as const satisfies Record<ErrorCode, number>

/** Exit code for a failure that is not a KmsSecretsError (a bug): same as ERR_INTERNAL. */
export const unexpectedExitCode = 70
/** Interrupted by SIGINT / SIGTERM (shell convention 128 + signal number). */
export const sigintExitCode = 130
export const sigtermExitCode = 143

/** The exit code for an error code; an unknown code (newer core than this table) maps to 1. */
export function exitCodeFor(code: string): number {
  return (exitCodes as Record<string, number>)[code] ?? 1
}
