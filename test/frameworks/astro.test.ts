import { describeFrameworkApp } from '../utils/framework-suite.js'
import { useKms } from '../utils/kms.js'

// examples/astro: astro.config.mjs `integrations: [kmsSecrets()]`, output server with @astrojs/node (standalone).
describeFrameworkApp({
  name: 'astro',
  keyId: useKms().keyIds.astro,
  secretDir: 'src/server',
  outputs: ['.astro', 'dist', 'node_modules/.vite', 'node_modules/.astro'],
  serverArgs: ['dist/server/entry.mjs'],
  devArgs: (port) => ['node_modules/astro/astro.js', 'dev', '--host', '127.0.0.1', '--port', String(port)],
  devForms: (file) => [`/_image?href=/${file}&w=16&f=png`, `/_image?href=/@fs/${file}`, `/_astro/${file}`],
  control: { file: 'src/server/proof.ts', text: 'createHmac' },
  prerendered: {
    files: {
      'src/pages/prerendered.astro': `---
import db from '../server/db.secret.json'

export const prerender = true
---

<p>{db.user}@{db.host}</p>
`,
    },
    route: '/prerendered',
    fix: 'export const prerender = false',
  },
})
