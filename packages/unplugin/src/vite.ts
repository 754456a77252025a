import { kmsSecrets } from './index'

/**
 * @example
 * // vite.config.ts
 * import kmsSecrets from 'unplugin-kms-secrets/vite'
 * export default defineConfig({ plugins: [kmsSecrets({ keyId: process.env.KMS_SECRETS_KEY_ID })] })
 */
export default kmsSecrets.vite
