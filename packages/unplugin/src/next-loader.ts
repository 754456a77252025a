// The Turbopack loader `withKmsSecrets` registers for `*.secret.*` files (referenced by path, never imported by users).
export { default } from './core/next/loader'
