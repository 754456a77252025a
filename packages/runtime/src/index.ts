export type { OpenMeta } from './opener/async-opener.js'
export type { RetryOptions, SecretOpenerOptions } from './opener/options.js'
export { createSecretOpener, openSecret, openSecretSync, type SecretOpener } from './opener/secret-opener.js'
