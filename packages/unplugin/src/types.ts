// Ambient module types for secret imports: `/// <reference types="unplugin-kms-secrets/types" />` (or list it in
// tsconfig `compilerOptions.types`). Exact types per file come from the generated `<name>.d.<ext>.ts` files (`dts`).
// No import/export here on purpose: wildcard `declare module` only works in a global script. One block per extension
// of core's list (`secretFormatByExtension`; a test holds them equal), typed by the extension's format:

/** json, yaml: an untyped object, like a JSON import. */
// biome-ignore lint/suspicious/noExplicitAny: untyped fallback like a JSON import; exact types come from `dts`
type KmsSecretsObjectFile = { readonly [key: string]: any }
/** env: variable names to strings. */
type KmsSecretsEnvFile = { readonly [key: string]: string }
/** text: the file's content. */
type KmsSecretsTextFile = string

declare module '*.secret.json' {
  const secret: KmsSecretsObjectFile
  export default secret
}
declare module '*.secret.yaml' {
  const secret: KmsSecretsObjectFile
  export default secret
}
declare module '*.secret.yml' {
  const secret: KmsSecretsObjectFile
  export default secret
}
declare module '*.secret.env' {
  const secret: KmsSecretsEnvFile
  export default secret
}
declare module '*.secret.txt' {
  const secret: KmsSecretsTextFile
  export default secret
}
declare module '*.secret.pem' {
  const secret: KmsSecretsTextFile
  export default secret
}
declare module '*.secret.key' {
  const secret: KmsSecretsTextFile
  export default secret
}
declare module '*.secret.crt' {
  const secret: KmsSecretsTextFile
  export default secret
}
