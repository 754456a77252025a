import { sveltekit } from '@sveltejs/kit/vite'
import kmsSecrets from 'unplugin-kms-secrets/vite'
import { defineConfig } from 'vite'

export default defineConfig({
  // kmsSecrets first: it claims `*.secret.*` imports before SvelteKit and vite see them.
  plugins: [kmsSecrets(), sveltekit()],
})
