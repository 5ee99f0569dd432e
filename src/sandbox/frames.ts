/**
 * Length-prefixed frames between the service and a jail: a 4-byte big-endian length, then that many bytes
 * of UTF-8 JSON. The reader keeps chunks as they come and touches each byte once: no rescanning of a
 * growing buffer for a delimiter (a 70 MB reply costs one copy and one JSON.parse per frame).
 */

export function frame (obj: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(obj), 'utf8')
  const head = Buffer.allocUnsafe(4)
  head.writeUInt32BE(body.length, 0)
  return Buffer.concat([head, body])
}

export class FrameReader {
  private chunks: Buffer[] = []
  private have = 0
  private need = -1
  private broken = false

  constructor (
    private readonly maxFrame: number,
    private readonly onFrame: (msg: unknown) => void,
    private readonly onError: (why: string) => void
  ) {}

  push (b: Buffer): void {
    if (this.broken) return
    this.chunks.push(b)
    this.have += b.length
    for (;;) {
      if (this.need < 0) {
        if (this.have < 4) return
        this.need = this.take(4).readUInt32BE(0)
        if (this.need > this.maxFrame) {
          this.broken = true
          this.onError(`frame of ${this.need} bytes`)
          return
        }
      }
      if (this.have < this.need) return
      const body = this.take(this.need)
      this.need = -1
      let msg: unknown
      try { msg = JSON.parse(body.toString('utf8')) } catch { msg = undefined } // a frame cut by a dying judge
      if (msg !== undefined) this.onFrame(msg)
    }
  }

  /** Removes and returns the first n buffered bytes (copying only when they span chunks). */
  private take (n: number): Buffer {
    const first = this.chunks[0] as Buffer
    let out: Buffer
    if (first.length >= n) {
      out = first.subarray(0, n)
      if (first.length === n) this.chunks.shift()
      else this.chunks[0] = first.subarray(n)
    } else {
      out = Buffer.allocUnsafe(n)
      let off = 0
      while (off < n) {
        const c = this.chunks[0] as Buffer
        const k = Math.min(c.length, n - off)
        c.copy(out, off, 0, k)
        off += k
        if (k === c.length) this.chunks.shift()
        else this.chunks[0] = c.subarray(k)
      }
    }
    this.have -= n
    return out
  }
}
