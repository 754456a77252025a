import kmsSecrets from 'unplugin-kms-secrets/vite'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [kmsSecrets({ keyId: process.env.KMS_SECRETS_KEY_ID })],
  build: { ssr: 'src/server.js', outDir: 'dist', sourcemap: true },
})
