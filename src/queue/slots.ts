/**
 * Redis Cluster hash slots (CRC16/XMODEM of the key's hash tag, mod 16384), to pick partition tags that
 * land on different masters and to find the node that holds a key (for WAIT).
 */
const TABLE = (() => {
  const t = new Uint16Array(256)
  for (let i = 0; i < 256; i++) {
    let c = i << 8
    for (let b = 0; b < 8; b++) c = (c & 0x8000) !== 0 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff
    t[i] = c
  }
  return t
})()

export const SLOTS = 16384

function crc16 (s: string): number {
  let crc = 0
  for (const byte of Buffer.from(s)) crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ byte) & 0xff] ?? 0)
  return crc
}

/** The hash slot of a key: of its first non-empty {tag} when it has one, as Redis Cluster computes it. */
export function slotOf (key: string): number {
  const open = key.indexOf('{')
  if (open >= 0) {
    const close = key.indexOf('}', open + 1)
    if (close > open + 1) return crc16(key.slice(open + 1, close)) % SLOTS
  }
  return crc16(key) % SLOTS
}

/**
 * A hash tag for partition i of n whose slot lies in the i-th n-th of the slot range, so that with the
 * usual even slot split (redis-cli --cluster create) the partitions spread over the masters.
 */
export function partitionTag (base: string, i: number, n: number): string {
  const lo = Math.floor((i * SLOTS) / n)
  const hi = Math.floor(((i + 1) * SLOTS) / n)
  for (let k = 0; k < 100_000; k++) {
    const tag = `${base}.p${i}.${k}`
    const s = crc16(tag) % SLOTS
    if (s >= lo && s < hi) return tag
  }
  return `${base}.p${i}`
}
