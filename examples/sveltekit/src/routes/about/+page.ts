// Prerendered at build: it reads no secret, so the build needs no Decrypt right.
export const prerender = true
