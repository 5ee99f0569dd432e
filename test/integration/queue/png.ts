/** A minimal PNG reader (8-bit RGB / RGBA, non-interlaced: what Chromium writes) for screenshot checks. */
import { inflateSync } from 'node:zlib'

export interface Pixels { width: number, height: number, channels: number, data: Buffer }

export function readPng (buf: Buffer): Pixels {
  if (buf.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error('not a PNG')
  let width = 0
  let height = 0
  let channels = 0
  const idat: Buffer[] = []
  for (let off = 8; off < buf.length;) {
    const len = buf.readUInt32BE(off)
    const type = buf.toString('latin1', off + 4, off + 8)
    const body = buf.subarray(off + 8, off + 8 + len)
    if (type === 'IHDR') {
      width = body.readUInt32BE(0)
      height = body.readUInt32BE(4)
      const depth = body[8]
      const color = body[9]
      if (depth !== 8 || (color !== 2 && color !== 6) || body[12] !== 0) throw new Error(`unsupported PNG (depth ${depth}, colour type ${color})`)
      channels = color === 6 ? 4 : 3
    } else if (type === 'IDAT') {
      idat.push(body)
    }
    off += 12 + len
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const data = Buffer.alloc(height * stride)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x] ?? 0
      const a = x >= channels ? data[y * stride + x - channels] ?? 0 : 0
      const b = y > 0 ? data[(y - 1) * stride + x] ?? 0 : 0
      const c = x >= channels && y > 0 ? data[(y - 1) * stride + x - channels] ?? 0 : 0
      let out = v
      if (filter === 1) out = v + a
      else if (filter === 2) out = v + b
      else if (filter === 3) out = v + ((a + b) >> 1)
      else if (filter === 4) {
        const p = a + b - c
        const pa = Math.abs(p - a)
        const pb = Math.abs(p - b)
        const pc = Math.abs(p - c)
        out = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)
      }
      data[y * stride + x] = out & 0xff
    }
  }
  return { width, height, channels, data }
}

/** Distinct colours and the share of the most common one. */
export function colourStats (p: Pixels): { distinct: number, dominantShare: number } {
  const counts = new Map<number, number>()
  for (let i = 0; i < p.data.length; i += p.channels) {
    const key = ((p.data[i] ?? 0) << 16) | ((p.data[i + 1] ?? 0) << 8) | (p.data[i + 2] ?? 0)
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  const max = Math.max(...counts.values())
  return { distinct: counts.size, dominantShare: max / (p.width * p.height) }
}
