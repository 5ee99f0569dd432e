/** A small PNG decoder for the report screenshot test: 8-bit RGB or RGBA, not interlaced (what Chromium writes). */
import { inflateSync } from 'node:zlib'

export interface Image { width: number, height: number, channels: number, pixels: Uint8Array }

export function decodePng (buf: Buffer): Image {
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG')
  let off = 8
  let width = 0
  let height = 0
  let channels = 0
  const idat: Buffer[] = []
  while (off < buf.length) {
    const len = buf.readUInt32BE(off)
    const type = buf.toString('ascii', off + 4, off + 8)
    const data = buf.subarray(off + 8, off + 8 + len)
    if (type === 'IHDR') {
      width = data.readUInt32BE(0)
      height = data.readUInt32BE(4)
      const depth = data[8]
      const colour = data[9]
      if (depth !== 8 || data[12] !== 0) throw new Error(`unsupported PNG: depth ${String(depth)}, interlace ${String(data[12])}`)
      channels = colour === 6 ? 4 : colour === 2 ? 3 : 0
      if (channels === 0) throw new Error(`unsupported PNG colour type ${String(colour)}`)
    } else if (type === 'IDAT') idat.push(data)
    else if (type === 'IEND') break
    off += 12 + len
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const pixels = new Uint8Array(height * stride)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[y * stride + x - channels] as number : 0
      const b = y > 0 ? pixels[(y - 1) * stride + x] as number : 0
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] as number : 0
      const v = line[x] as number
      let out: number
      switch (filter) {
        case 0: out = v; break
        case 1: out = v + a; break
        case 2: out = v + b; break
        case 3: out = v + ((a + b) >> 1); break
        case 4: { const p = a + b - c; const pa = Math.abs(p - a); const pb = Math.abs(p - b); const pc = Math.abs(p - c); out = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c); break }
        default: throw new Error(`bad PNG filter ${String(filter)}`)
      }
      pixels[y * stride + x] = out & 0xff
    }
  }
  return { width, height, channels, pixels }
}

/** Distinct colours and the share of the most common one. */
export function colourStats (img: Image): { distinct: number, dominantShare: number } {
  const counts = new Map<number, number>()
  for (let i = 0; i < img.pixels.length; i += img.channels) {
    const key = ((img.pixels[i] ?? 0) << 16) | ((img.pixels[i + 1] ?? 0) << 8) | (img.pixels[i + 2] ?? 0)
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  const max = Math.max(...counts.values())
  return { distinct: counts.size, dominantShare: max / (img.width * img.height) }
}
