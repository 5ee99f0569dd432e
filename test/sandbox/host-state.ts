/** What the host can see of sandbox uids: their processes and files (for the containment tests). */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

export function processesOf (uidFrom: number, uidTo: number): Array<{ pid: number, uid: number, cmd: string }> {
  const out: Array<{ pid: number, uid: number, cmd: string }> = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8')
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1)
      if (uid >= uidFrom && uid < uidTo) {
        const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').slice(0, 3).join(' ').slice(0, 80)
        out.push({ pid: Number(name), uid, cmd })
      }
    } catch { /* gone */ }
  }
  return out
}

/**
 * Files (not following links) under dir owned by a uid in [uidFrom, uidTo), depth-limited; with `since`
 * (ms since the epoch) only those whose inode changed since then: what this run left, not a killed run before it.
 */
export function filesOf (dir: string, uidFrom: number, uidTo: number, depth = 3, since = 0): string[] {
  const out: string[] = []
  let names: string[]
  try { names = readdirSync(dir) } catch { return out }
  for (const n of names) {
    const p = join(dir, n)
    try {
      const st = statSync(p, { throwIfNoEntry: false })
      if (!st) continue
      if (st.uid >= uidFrom && st.uid < uidTo && st.ctimeMs >= since) out.push(p)
      if (st.isDirectory() && depth > 0 && n !== 'node_modules' && n !== '.git') out.push(...filesOf(p, uidFrom, uidTo, depth - 1, since))
    } catch { /* raced */ }
  }
  return out
}

export async function waitFor (pred: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (pred()) return true
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return pred()
}
