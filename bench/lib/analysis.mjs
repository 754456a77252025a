import { fmt, fmtBytes, fmtRatio, fmtSigned } from './stats.mjs'

/**
 * "What bounds the missed targets": one paragraph per missed target, written from the figures of the same run and
 * from what the CPU profiles (in the sections above) show. Returns undefined when every target was met.
 */
export function explainMisses(byId) {
  const notes = [startOverhead(byId), perSecret(byId), buildOverhead(byId), throughput(byId), fleet(byId)]
  const text = notes.filter(Boolean).join('\n\n')
  return text || undefined
}

const missed = (section, match) => section?.targets?.some((t) => t.met === false && t.name.includes(match))

/** "a 12.3 ms (10 %), b …" from a profile summary's top code origins. */
function topOrigins(summary, n = 4) {
  if (!summary) return 'not profiled'
  return summary.buckets
    .slice(0, n)
    .map((b) => `${b.bucket} ${b.pct.toFixed(0)} %`)
    .join(', ')
}

function startOverhead({ 'first-value': fv, 'runtime-weight': w }) {
  if (!missed(fv, 'start overhead') || !w) return undefined
  const d = fv.data
  const big = d.restCount + 1
  const first = d.res[`marginal@${d.latencies[0]}`].first
  return [
    '**Start overhead vs plain JSON (one round trip + ≤ 10 ms).** A start makes one KMS Decrypt (section 1), whose',
    `round trip, measured in the same rounds, is ${d.rtt.map((x) => `${fmt(x)} ms`).join(' / ')} at ${d.latencies.join(' / ')} ms latency. Beyond it a start with ${big}`,
    `imports costs ${d.literal.map((x) => `${fmt(x)} ms`).join(' / ')} more than the plain app. Where it goes: loading the runtime (${fmtBytes(w.data.addedEsm)}`,
    `minified, section 5a) ${fmtSigned(w.data.cold.load)} ms before any call; its first open in a cold process ${fmtSigned(w.data.cold.open)} ms (one secret,`,
    `section 5b: credentials, WebCrypto key import, TC3 signing, node:http, AES-GCM — ${fmt(first)} ms in a warm process,`,
    `round trip included); then the ${d.restCount} other values, ${fmt(d.rest[0])} ms in-process (next paragraph). CPU of one start by code`,
    `origin (profile in section 2): ${topOrigins(d.profiles.start)}.`,
  ].join('\n')
}

function perSecret({ 'first-value': fv }) {
  if (!missed(fv, 'secrets after the first')) return undefined
  const d = fv.data
  const rest = d.rest[0]
  const gc = d.profiles.rest?.buckets.find((b) => b.bucket === '(garbage collector)')
  const webShare = d.aes.webcrypto / rest
  const bound =
    webShare >= 0.5
      ? 'Bound: one WebCrypto thread-pool job per value, awaited one after the other.'
      : "Bound: the runtime's per-open JavaScript rather than the cipher — envelope validation, base64 decoding, canonical JSON for the AAD and the encryption context, payload decoding — and the garbage it makes" +
        (gc ? ` (GC ${gc.pct.toFixed(0)} % of the profile).` : '.')
  return [
    `**The secrets after the first (< 2 ms for all of them).** Measured ${d.rest.map((x) => `${fmt(x)} ms`).join(' / ')} in-process`,
    `(at ${d.latencies.join(' / ')} ms latency) for the opens that follow the Decrypt, with the data key cached and no KMS`,
    `call: ${fmt((rest / d.restCount) * 1000, 0)} µs per value. CPU by code origin (profile in section 2): ${topOrigins(d.profiles.rest)}.`,
    `The same AES-GCM decrypts alone cost ${fmt(d.aes.webcrypto, 2)} ms through WebCrypto awaited one after another (as the runtime`,
    `does: a libuv thread-pool job per value) and ${fmt(d.aes.nodeCrypto, 2)} ms with node:crypto's synchronous createDecipheriv.`,
    `${bound} Values are opened one after another because bundlers flatten the generated modules into one scope, so`,
    'each `await openSecret(…)` waits for the previous one (the per-file-keys column shows the same serialization',
    'costing one KMS round trip per file). Options for the runtime: a synchronous node:crypto open path, caching the',
    'per-data-key work (encryption context, key checks) instead of redoing it per value, lighter per-value validation.',
  ].join('\n')
}

function buildOverhead({ 'build-overhead': b }) {
  if (!missed(b, 'plugin build cost')) return undefined
  const rows = b.data.summaries
  const list = (f) => rows.map((s) => `${s.bundler} ${f(s)}`).join(', ')
  const over = (a, z) => (s) => fmtRatio(s.ms[a] / s.ms[z])
  return [
    '**Plugin build cost (≤ 1.15× the generated-module floor).** The plain builds of 200 small JSON files are fast',
    `(${list((s) => `${fmt(s.plainMs, 0)} ms`)}), so per-file work shows at once. Three layers, from the two floors`,
    'in the table, which do no plugin work:',
    `1. the bundler's JS plugin bridge — a bare JS load hook alone: ${list((s) => fmtRatio(s.ratio['js-hook']))}`,
    '   (esbuild: an IPC round trip to its Go process per onLoad; rolldown/rspack: a Rust→JS call per module);',
    `2. the module shape the plugin generates, for the bundler to parse and link (envelope literal of ~1 KB instead of`,
    `   ~170 B of JSON, a top-level await per module, named exports): generated-module floor ÷ JS hook floor =`,
    `   ${list(over('gen-hook', 'js-hook'))};`,
    `3. the plugin's own work on top (the target) — sealed on disk ÷ generated-module floor, per round:`,
    `   ${list((s) => fmtRatio(s.overFloor.sealed))} (with \`dts: false\`: ${list((s) => fmtRatio(s.overFloor['sealed-no-dts']))}); sealed at build ÷ sealed on disk:`,
    `   ${list(over('seal-at-build', 'sealed'))} (parsing, AES-GCM and the leak check, whose needle set`,
    '   (createLeakScanner/encodeNeedles) and scan are its largest frames).',
    ...(rows.some((s) => s.pluginMs)
      ? [
          '',
          "The plugin's own JavaScript (unplugin-kms-secrets, core, unplugin; from the profiles) per build, sealed on",
          `disk / at build: ${list((s) => (s.pluginMs ? `${fmt(s.pluginMs.sealed)} / ${fmt(s.pluginMs.atBuild)} ms` : 'not profiled'))}.`,
        ]
      : []),
    'Bound: layers 1 and 2 are not plugin work; whichever of them exceeds 1.15× for a bundler makes the target',
    'unreachable there for any design that returns a per-file module with a runtime call. The ≤ 1 KMS call per build',
    'part holds everywhere.',
  ].join('\n')
}

function throughput({ throughput: t }) {
  if (!missed(t, 'local-kms')) return undefined
  const { best, capacity, profile } = t.data
  const bound =
    best.busy >= 0.85
      ? "the server was saturated: local-kms's CPU per request is the bound."
      : best.clientCpu >= 0.85
        ? 'the client process was saturated: the load generator is the bound, not local-kms.'
        : 'neither was saturated, so the rate was bounded by the CPU time this shared 2-core machine granted both processes.'
  return [
    `**local-kms throughput (≥ 3000/s).** The best Decrypt cell (${best.transport}, concurrency ${best.concurrency}) reached`,
    `${fmt(best.rps, 0)}/s with the server process busy ${fmt(best.busy * 100, 0)} % and the client ${fmt(best.clientCpu * 100, 0)} % of one core:`,
    `${bound} Per`,
    `server CPU-second local-kms answers ${fmt(capacity, 0)} TC3-verified Decrypts. Server CPU by code origin (profile in`,
    `section 4): ${topOrigins(profile)}. The SDK transport rows are bounded by the client: CommonClient spends more CPU`,
    'per request than the server does.',
  ].join('\n')
}

function fleet({ 'fleet-start': f }) {
  if (!missed(f, 'fleet')) return undefined
  const bad = f.data.fleet.filter((x) => x.strategy === 'jitter' && x.failed > 0)
  return [
    `**Fleet start.** With ${bad.map((x) => `${x.count} processes, ${x.failedRuns.join(' / ')} (per run) gave up`).join('; ')} under the runtime's default`,
    'retry budget (packages/runtime/src/opener/options.ts), while N Decrypts at 300/s with a burst of 300 need at least',
    '(N − 300) / 300 s of refill. Bound: the retry budget vs fleet size ÷ quota, not the backoff shape. Options for the',
    'runtime: a time-based budget (keep retrying with jitter up to e.g. 30 s) or more attempts by default;',
    'KMS_SECRETS_MAX_ATTEMPTS already lets an operator raise it.',
  ].join('\n')
}
