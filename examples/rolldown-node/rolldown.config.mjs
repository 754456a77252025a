import { defineConfig } from 'rolldown'
import kmsSecrets from 'unplugin-kms-secrets/rolldown'

export default defineConfig({
  input: 'src/server.js',
  platform: 'node',
  output: { dir: 'dist', format: 'esm', sourcemap: true },
  plugins: [kmsSecrets({ keyId: process.env.KMS_SECRETS_KEY_ID })],
})
