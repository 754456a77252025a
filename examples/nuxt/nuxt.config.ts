export default defineNuxtConfig({
  modules: ['unplugin-kms-secrets/nuxt'],
  kmsSecrets: { keyId: process.env.KMS_SECRETS_KEY_ID },
  compatibilityDate: '2026-12-01',
  devtools: { enabled: false },
  telemetry: false,
})
