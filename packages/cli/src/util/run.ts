import { readFileSync } from 'node:fs'
import process from 'node:process'
import type { CAC } from 'cac'
import { unprotect } from './argv.js'
import { usageError } from './errors.js'
import { reportError } from './report.js'

/** The package version, read at runtime (same relative path from src/ and dist/). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

function debugRequested(argv: string[]): boolean {
  const end = argv.indexOf('--')
  return (end === -1 ? argv : argv.slice(0, end)).includes('--debug')
}

/**
 * Parses `argv` with `cli`, runs the matched command and sets the exit code: the command's own (exec passes its
 * child's), or the error table's. Unknown commands and a bare invocation print help.
 */
export async function runCli(cli: CAC, argv: string[]): Promise<void> {
  const debug = debugRequested(argv)
  try {
    const parsed = cli.parse(argv, { run: false })
    if (parsed.options.help || parsed.options.version) return
    if (!cli.matchedCommand) {
      if (parsed.args.length > 0)
        throw usageError(
          `Unknown command "${unprotect(String(parsed.args[0]))}".`,
          `Run ${cli.name} --help for the list of commands.`,
        )
      cli.outputHelp()
      return
    }
    cli.args = unprotect([...cli.args])
    cli.options = unprotect(cli.options)
    const code: unknown = await cli.runMatchedCommand()
    process.exitCode = typeof code === 'number' ? code : 0
  } catch (e) {
    process.exitCode = reportError(e, debug)
  }
}
