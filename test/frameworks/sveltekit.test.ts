import { describeFrameworkApp } from '../utils/framework-suite.js'
import { useKms } from '../utils/kms.js'

// examples/sveltekit: vite.config.ts `plugins: [kmsSecrets(), sveltekit()]`, adapter-node, secrets in $lib/server.
describeFrameworkApp({
  name: 'sveltekit',
  keyId: useKms().keyIds.sveltekit,
  secretDir: 'src/lib/server',
  outputs: ['.svelte-kit', 'build', 'node_modules/.vite'],
  serverArgs: ['build'],
  devArgs: (port) => [
    'node_modules/vite/bin/vite.js',
    'dev',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--strictPort',
  ],
  devForms: (file) => [
    `/@id/${file.replace('src/lib/', '$lib/')}`,
    `/${file.replace('src/lib/', '$lib/')}`,
    `/_app/${file}`,
    `/@fs/${file}`,
  ],
  control: { file: 'src/app.html', text: '%sveltekit.body%' },
  prerendered: {
    files: {
      'src/routes/prerendered/+page.server.ts': `import db from '$lib/server/db.secret.json'

export const prerender = true
export const load = () => ({ who: \`\${db.user}@\${db.host}\` })
`,
      'src/routes/prerendered/+page.svelte': '<p>prerendered</p>\n',
    },
    route: '/prerendered',
    fix: 'export const prerender = false',
  },
})
