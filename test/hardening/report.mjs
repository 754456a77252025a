#!/usr/bin/env node
// Prints the figures of the last hardening run (test/hardening/.figures/*.json) as markdown, for SECURITY.md.
// Usage: node test/hardening/report.mjs
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = join(dirname(fileURLToPath(import.meta.url)), '.figures')
const records = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
  .sort((a, b) => a.suite.localeCompare(b.suite))

const show = (v) => {
  if (Array.isArray(v)) return v.join(', ')
  if (v && typeof v === 'object')
    return (
      Object.entries(v)
        .map(([k, n]) => `${k}: ${n}`)
        .join('; ') || '—'
    )
  return String(v)
}
for (const r of records) {
  console.log(
    `\n#### ${r.suite} — ${r.date}, scale ${r.scale}, ${(r.durationMs / 1000).toFixed(1)} s, node ${r.node}\n`,
  )
  console.log('| figure | value |\n|---|---|')
  for (const [k, v] of Object.entries(r.figures)) console.log(`| ${k} | ${show(v).replaceAll('|', '\\|')} |`)
}
