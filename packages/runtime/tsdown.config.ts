import { defineConfig, type UserConfig } from 'tsdown'

// The runtime is what a user's bundle pulls in: keep @kms-secrets/core's open path (and its subpaths) inside, so the
// runtime is self-contained and a bundler that inlines it needs no node_modules at run time. It has no other
// dependency: KMS Decrypt is signed (node:crypto or WebCrypto) and sent by our own code.
const bundled = { alwaysBundle: [/^@kms-secrets\/core(\/|$)/] }

// Two builds of the entries a host may import: the default one (package.json conditions import/require, dist/) and
// the web one (conditions workerd, worker, edge-light before them, dist/web/). They differ only in the constant
// `__KMS_SECRETS_WEB__` (src/opener/node-crypto.ts): the default build leaves out the WebCrypto open and TC3 signing
// path (core's web-cipher, tc3.ts's WebCrypto twins) and workerd's global-scope message (tencent-decrypt.ts), which
// only a host without node:crypto needs — Node ≥ 20.19, Bun and Deno always have it — and fails on such a host with
// one typed error naming the conditions; the web build keeps both paths. Mode "project" uses WebCrypto for its
// HPKE/ECDH on every host, in both builds. From source (the `source` condition of tests and bench) the constant is
// undefined: both paths, as in the web build. The worker files and `/sync` are node-only: default build only.
const nodeOnly = { __KMS_SECRETS_WEB__: 'false' }
const web = { __KMS_SECRETS_WEB__: 'true' }

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
    // Node only (worker_threads): no WebCrypto path.
    define: nodeOnly,
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
    define: nodeOnly,
  },
  {
    // The web build (dist/web/): the entries a Worker imports, with the WebCrypto path; one build, so they share
    // their chunks as above. Types: the default build's (the same API).
    entry: ['src/index.ts', 'src/project.ts', 'src/cloud.ts'],
    outDir: 'dist/web',
    format: ['esm', 'cjs'],
    dts: false,
    clean: false,
    platform: 'node',
    target: 'node20',
    exports: false,
    deps: bundled,
    define: web,
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
    define: nodeOnly,
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
