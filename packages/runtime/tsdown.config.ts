import { defineConfig, type UserConfig } from 'tsdown'

// The runtime is what a user's bundle pulls in: keep @kms-secrets/core's open path (and its subpaths) inside, so the
// runtime is self-contained and a bundler that inlines it needs no node_modules at run time. It has no other
// dependency: KMS Decrypt is signed (WebCrypto) and sent (fetch) by our own code.
const bundled = { alwaysBundle: [/^@kms-secrets\/core(\/|$)/] }

/** A one-file, minified CommonJS build of a worker entry (no shared chunk, core inlined). */
function standaloneWorker(name: string, source: string): UserConfig {
  return {
    entry: { [name]: source },
    format: ['cjs'],
    dts: false,
    clean: false,
    minify: true,
    platform: 'node',
    target: 'node20',
    exports: false,
    deps: bundled,
  }
}

export default defineConfig([
  {
    // index (what generated code imports), project (mode "project", imported by generated ESM code for project-key
    // envelopes only), cloud (profile/CVM/TKE credential sources and the proxy tunnel: imported for the plugin option
    // `cloud: true`, else loaded from here by the runtime when needed) and the openSecretSync worker thread, found
    // next to index at run time. One build: the entries share their chunks, so a bundler inlining index and cloud
    // (or project) gets one copy of what they have in common.
    entry: ['src/index.ts', 'src/project.ts', 'src/cloud.ts', 'src/kms-secrets-worker.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    platform: 'node',
    target: 'node20',
    exports: false,
    deps: bundled,
  },
  {
    // `@kms-secrets/runtime/sync`, what generated CommonJS code imports: self-contained (no shared chunk), because a
    // bundler cannot tree-shake a `require`d CommonJS chunk and would inline the whole runtime next to the worker file.
    entry: ['src/sync.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: false,
    platform: 'node',
    target: 'node20',
    exports: false,
    deps: bundled,
  },
  // One self-contained, minified file of the worker: the plugins copy it next to a CommonJS bundle that inlined the
  // runtime (as kms-secrets-worker.cjs), so that bundle runs from a dist/ with no node_modules.
  standaloneWorker('kms-secrets-worker-standalone', 'src/kms-secrets-worker.ts'),
  // The same without mode "project" (~4.7 KiB less): what the plugins write as kms-secrets-worker.cjs when no secret
  // of the build is sealed with a project key. A build of its own, so that neither file shares a chunk.
  standaloneWorker('kms-secrets-worker-standalone-lean', 'src/kms-secrets-worker-lean.ts'),
  // Both with `@kms-secrets/runtime/cloud` inside, for the plugin option `cloud: true` (a CommonJS bundle deployed
  // without node_modules on CVM/TKE or behind a proxy); without it the worker loads the add-on from node_modules.
  standaloneWorker('kms-secrets-worker-standalone-cloud', 'src/kms-secrets-worker-cloud.ts'),
  standaloneWorker('kms-secrets-worker-standalone-lean-cloud', 'src/kms-secrets-worker-lean-cloud.ts'),
])
