import { lstatSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

/**
 * Every regular file under `root` whose content includes one of `needles` (unreadable entries are skipped).
 * With `since` (ms since the epoch), only files modified since then are read: a file not written since cannot hold a
 * needle made up after that (the tests' canaries are random per run), and os.tmpdir() holds a lot of old files.
 */
export function filesContaining(root: string, needles: string[], since?: number): string[] {
  const found: string[] = []
  const walk = (dir: string) => {
    let entries: string[]
    try {
      entries = readdirSync(dir)
    } catch {
      return
    }
    for (const name of entries) {
      const full = path.join(dir, name)
      try {
        const st = lstatSync(full, { throwIfNoEntry: false })
        if (!st) continue
        if (st.isDirectory()) walk(full)
        else if (st.isFile() && st.size < 4_000_000 && (since === undefined || st.mtimeMs >= since)) {
          const text = readFileSync(full, 'latin1')
          if (needles.some((n) => text.includes(n))) found.push(full)
        }
      } catch {}
    }
  }
  walk(root)
  return found
}
