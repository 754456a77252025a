import process from 'node:process'
import { runCli } from './main.js'

// The bin: the same entry as an in-process run, with the process's own environment, streams and directory.
process.exitCode = await runCli(process.argv.slice(2))
