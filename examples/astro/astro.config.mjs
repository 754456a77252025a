import node from '@astrojs/node'
import { defineConfig } from 'astro/config'
import kmsSecrets from 'unplugin-kms-secrets/astro'

export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  integrations: [kmsSecrets()],
})
