/**
 * Progress on stderr: a bar redrawn in place (rate and ETA) on a terminal, plain lines every few seconds
 * otherwise (logs, CI). Progress is measured in input bytes handled, so no pre-pass counts the lines.
 */
export interface ProgressCounts {
  /** Input bytes handled (scored, skipped or bad). */
  bytes: number
  /** Bytes of lines skipped because their group was already in the output. */
  skippedBytes: number
  groups: number
  samples: number
  bad: number
  skipped: number
}

export interface ProgressOptions {
  totalBytes: number
  stream: NodeJS.WritableStream & { isTTY?: boolean, columns?: number }
  /** Seconds between plain lines (non-TTY). */
  everySeconds: number
  label: string
}

export class Progress {
  private readonly t0 = performance.now()
  private last = -Infinity
  private drawn = false

  constructor (private readonly opts: ProgressOptions) {}

  update (c: ProgressCounts, force = false): void {
    const now = performance.now()
    const tty = this.opts.stream.isTTY === true
    const every = tty ? 100 : this.opts.everySeconds * 1000
    if (!force && now - this.last < every) return
    this.last = now
    const elapsed = (now - this.t0) / 1000
    const frac = this.opts.totalBytes > 0 ? Math.min(1, c.bytes / this.opts.totalBytes) : 1
    const rate = elapsed > 0 ? c.samples / elapsed : 0
    const workRate = elapsed > 0 ? (c.bytes - c.skippedBytes) / elapsed : 0
    const eta = workRate > 0 ? (this.opts.totalBytes - c.bytes) / workRate : NaN
    const text = `${(frac * 100).toFixed(1)}%  ${c.groups} groups  ${c.samples} samples  ${fmtRate(rate)} samples/s  ` +
      `ETA ${fmtTime(eta)}${c.skipped > 0 ? `  ${c.skipped} skipped` : ''}${c.bad > 0 ? `  ${c.bad} bad` : ''}`
    if (tty) {
      const width = 24
      const full = Math.round(frac * width)
      const bar = `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`
      this.opts.stream.write(`\r\x1b[K${this.opts.label} ${bar} ${text}`)
      this.drawn = true
    } else {
      this.opts.stream.write(`${this.opts.label}: ${text}\n`)
    }
  }

  /** Ends the bar's line so that what follows starts on a fresh one. */
  done (): void {
    if (this.drawn) this.opts.stream.write('\n')
    this.drawn = false
  }

  /** Clears the bar before another message is printed (it is redrawn at the next update). */
  interrupt (): void {
    if (this.drawn) this.opts.stream.write('\r\x1b[K')
  }
}

function fmtRate (r: number): string {
  return r >= 100 ? Math.round(r).toString() : r.toFixed(1)
}

export function fmtTime (s: number): string {
  if (!Number.isFinite(s)) return '--:--'
  const t = Math.max(0, Math.round(s))
  const h = Math.floor(t / 3600)
  const m = Math.floor((t % 3600) / 60)
  const sec = String(t % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`
}
