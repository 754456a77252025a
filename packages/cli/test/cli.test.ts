import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { runCli, spawnCli } from './helpers/cli.js'

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version
const commands = ['encrypt', 'decrypt', 'edit', 'rotate', 'wrap', 'exec', 'scan', 'types', 'keys', 'local-kms']

describe('kms-secrets (parsing, help, usage errors)', () => {
  it('--help lists every command and the global options', async () => {
    const r = await runCli(['--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^kms-secrets\/\d/)
    for (const c of commands) expect(r.stdout).toMatch(new RegExp(`^ {2}${c}\\b`, 'm'))
    for (const o of ['--endpoint <url>', '--region <region>', '--debug', '--version']) expect(r.stdout).toContain(o)
  })

  it('no arguments prints the help too (exit 0)', async () => {
    const r = await runCli([])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Commands:')
  })

  it('--version prints the package version (the bin, read from dist/)', async () => {
    const r = await spawnCli(['--version'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`kms-secrets/${version}`)
  })

  it.concurrent.for<[string, string[]]>([
    [
      'encrypt',
      ['--key-id <KeyId>', '--context <key=value>', '-i, --in-place', '-o, --output <file>', '--id <id>', '--json'],
    ],
    ['decrypt', ['--extract <path>', '-o, --output <file>']],
    ['edit', ['--allow-disk', '--resume <path>']],
    ['rotate', ['--key-id <KeyId>', '--json']],
    [
      'wrap',
      [
        '--blob <blob>',
        '--format <format>',
        '--key-id <KeyId>',
        '--id <id>',
        '--context <key=value>',
        '-o, --output <file>',
      ],
    ],
    ['exec', ['--env <file>', '--file <NAME=file>', '--allow-var <NAME>', '--keep-credentials']],
    ['scan', ['--secrets <file>', '--json']],
    ['types', ['--check', '--json']],
  ])('%s --help shows its options and the global ones', async ([command, options], { expect }) => {
    const r = await runCli([command, '--help'])
    expect(r.code).toBe(0)
    for (const o of [...options, '--endpoint <url>', '--region <region>', '--debug']) expect(r.stdout).toContain(o)
  })

  it('local-kms --help is the local-kms bin’s own help (same flags)', async () => {
    const r = await runCli(['local-kms', '--help'])
    expect(r.code).toBe(0)
    for (const o of ['--host', '--port', '--data-dir', '--seed']) expect(r.stdout).toContain(o)
  })

  it.concurrent.for<[string, string[]]>([
    ['an unknown command', ['frobnicate']],
    ['an unknown option', ['decrypt', 'x.secret.json', '--frob']],
    ['a missing argument', ['decrypt']],
    ['an option without its value', ['decrypt', 'x.secret.json', '--extract']],
  ])('%s → ERR_CLI_USAGE (exit 2), message + hint on stderr, no stack', async ([_name, args], { expect }) => {
    const r = await runCli(args)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^error: .*\[ERR_CLI_USAGE\]$/m)
    // The message carries its code too (for framework logs); the CLI prints it once.
    expect(r.stderr.split('ERR_CLI_USAGE')).toHaveLength(2)
    expect(r.stderr).toMatch(/^hint: /m)
    expect(r.stderr).not.toContain('    at ')
  })

  it('no colours when stderr is not a TTY, even without NO_COLOR', async () => {
    const r = await spawnCli(['frobnicate'], { env: { NO_COLOR: undefined } })
    expect(r.code).toBe(2)
    expect(r.stderr).not.toContain('\u001B[')
  })
})
