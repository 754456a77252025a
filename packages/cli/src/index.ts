/** `@kms-secrets/cli`: the bin is `kms-secrets`; the package exports only its stable exit-code table. */
export { exitCodeFor, exitCodes, sigintExitCode, sigtermExitCode, unexpectedExitCode } from './exit-codes.js'
