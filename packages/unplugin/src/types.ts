// Ambient module types for secret imports: `/// <reference types="unplugin-kms-secrets/types" />` (or list it in
// tsconfig `compilerOptions.types`). Exact types per file come from the generated `<name>.d.<ext>.ts` files (`dts`).
// No import/export here on purpose: wildcard `declare module` only works in a global script.

declare module '*.secret.json' {
  // biome-ignore lint/suspicious/noExplicitAny: untyped fallback like a JSON import; exact types come from `dts`
  const secret: { readonly [key: string]: any }
  export default secret
}
declare module '*.secret.yaml' {
  // biome-ignore lint/suspicious/noExplicitAny: untyped fallback like a JSON import; exact types come from `dts`
  const secret: { readonly [key: string]: any }
  export default secret
}
declare module '*.secret.yml' {
  // biome-ignore lint/suspicious/noExplicitAny: untyped fallback like a JSON import; exact types come from `dts`
  const secret: { readonly [key: string]: any }
  export default secret
}
declare module '*.secret.env' {
  const secret: { readonly [key: string]: string }
  export default secret
}
declare module '*.secret.txt' {
  const secret: string
  export default secret
}
declare module '*.secret.pem' {
  const secret: string
  export default secret
}
declare module '*.secret.key' {
  const secret: string
  export default secret
}
declare module '*.secret.crt' {
  const secret: string
  export default secret
}
