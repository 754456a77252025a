import { readFileSync } from 'node:fs'
import { format } from 'node:util'
import type { CAC } from 'cac'
import { unprotect } from './argv.js'
import { usageError } from './errors.js'
import { io } from './io.js'
import { reportError } from './report.js'

/** The package version, read at runtime: ../package.json from the bundled dist/, ../../ from src/util/. */
export function packageVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    let pkg: { name?: string; version?: string } | undefined
    try {
      pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as typeof pkg
    } catch {}
    if (pkg?.name === '@kms-secrets/cli' && pkg.version) return pkg.version
  }
  throw new Error('the package.json of @kms-secrets/cli was not found')
}

function debugRequested(argv: string[]): boolean {
  const end = argv.indexOf('--')
  return (end === -1 ? argv : argv.slice(0, end)).includes('--debug')
}

/**
 * cac prints help and version with console.info; this sends them to the run's stdout instead. Synchronous, so no
 * other run's output can interleave while console.info is swapped.
 */
function printingToStdout<T>(fn: () => T): T {
  const info = console.info
  const out = io().stdout
  console.info = (...args: unknown[]) => void out.write(`${format(...args)}\n`)
  try {
    return fn()
  } finally {
    console.info = info
  }
}

/**
 * Parses `argv` with `cli`, runs the matched command and returns the exit code: the command's own (exec passes its
 * child's), or the error table's. Unknown commands and a bare invocation print help.
 */
export async function runCommand(cli: CAC, argv: string[]): Promise<number> {
  const debug = debugRequested(argv)
  try {
    const parsed = printingToStdout(() => cli.parse(argv, { run: false }))
    if (parsed.options.help || parsed.options.version) return 0
    if (!cli.matchedCommand) {
      if (parsed.args.length > 0)
        throw usageError(
          `Unknown command "${unprotect(String(parsed.args[0]))}".`,
          `Run ${cli.name} --help for the list of commands.`,
        )
      printingToStdout(() => cli.outputHelp())
      return 0
    }
    cli.args = unprotect([...cli.args])
    cli.options = unprotect(cli.options)
    const code: unknown = await cli.runMatchedCommand()
    return typeof code === 'number' ? code : 0
  } catch (e) {
    return reportError(e, debug)
  }
}
