import { resolve } from 'node:path'
import kmsSecrets from 'unplugin-kms-secrets/rspack'

export default {
  mode: 'production',
  target: 'node20',
  entry: './src/server.js',
  output: {
    path: resolve(import.meta.dirname, 'dist'),
    filename: 'server.mjs',
    module: true,
    chunkFormat: 'module',
    library: { type: 'module' },
  },
  devtool: 'source-map',
  plugins: [kmsSecrets({ keyId: process.env.KMS_SECRETS_KEY_ID })],
}
