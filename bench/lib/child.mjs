import { spawn } from 'node:child_process'

/**
 * Runs `node [execArgv] file [args]` (calling `onLine` for each stdout line as it comes) and resolves with its exit code, output and the last stdout line that parses
 * as JSON. Rejects on a non-zero exit or after `timeoutMs`, with the child's stderr (which never holds a value: the
 * bench apps print only timings and shape checks).
 */
export function runNode(file, { args = [], execArgv = [], env, cwd, timeoutMs = 120_000, onLine } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...execArgv, file, ...args], {
      cwd,
      env: env ?? { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let pending = ''
    child.stdout.on('data', (d) => {
      stdout += d
      if (!onLine) return
      pending += d
      const lines = pending.split('\n')
      pending = lines.pop()
      for (const line of lines) onLine(line)
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      if (code !== 0) {
        const text = stderr.trim()
        const shown = text.length > 4000 ? `${text.slice(0, 1500)}\n…\n${text.slice(-2500)}` : text
        reject(new Error(`${file} exited with ${code ?? signal}: ${shown}`))
        return
      }
      resolve({ code, stdout, stderr, json: lastJson(stdout) })
    })
  })
}

function lastJson(text) {
  for (const line of text.split('\n').reverse()) {
    if (!line.startsWith('{')) continue
    try {
      return JSON.parse(line)
    } catch {}
  }
  return undefined
}
