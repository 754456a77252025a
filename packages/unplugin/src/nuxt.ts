import { kmsSecretsNuxt } from './core/nuxt/module'

/**
 * @example
 * // nuxt.config.ts
 * export default defineNuxtConfig({ modules: ['unplugin-kms-secrets/nuxt'], kmsSecrets: { keyId: process.env.KMS_SECRETS_KEY_ID } })
 */
export default kmsSecretsNuxt
