/**
 * Scoring-service bench (issue 2): format + language on 1 KB completions through HTTP in batches of 256,
 * the advantage computation for 4,096 groups of 16, and the service's peak RSS.
 * Standalone: node --import tsx bench/service.ts
 */
import { median, rng, table, startService } from './lib.ts'
import { batchAdvantages } from '../src/grpo/advantages.ts'

const WORDS = ('the we of a to and is that so it in for this number value equation find then let x two sum ' +
  'both sides divide multiply check answer first next because therefore which gives us root term factor ' +
  'problem step compute result square integer positive negative total each when since must can now see').split(' ')

/** A ~1 KB completion in the R1 template with an English chain of thought. */
export function completion (r: () => number): string {
  const sentences: string[] = []
  let len = 0
  while (len < 900) {
    const n = 8 + Math.floor(r() * 10)
    const words = Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)] ?? 'the')
    const s = words.join(' ')
    const sentence = s.charAt(0).toUpperCase() + s.slice(1) + '.'
    sentences.push(sentence)
    len += sentence.length + 1
  }
  return `<think>\n${sentences.join(' ')}\n</think>\n<answer>\n${Math.floor(r() * 100)}\n</answer>`
}

export async function benchService (rounds = 7): Promise<string> {
  const r = rng(42)
  const svc = await startService()
  const out: string[] = []
  try {
    const batch = 256
    const groupsPerBatch = 16
    const bodies = Array.from({ length: 8 }, (_, b) => JSON.stringify({
      groups: Array.from({ length: groupsPerBatch }, (_, g) => ({
        id: `b${b}g${g}`,
        prompt: 'Compute the number and explain your steps.',
        reference: { type: 'none' },
        completions: Array.from({ length: batch / groupsPerBatch }, () => completion(r))
      })),
      rewards: { format: { weight: 1 }, language: { weight: 1, target: 'en' } }
    }))
    const kb = Buffer.byteLength(bodies[0] ?? '') / batch / 1024
    const post = async (body: string): Promise<void> => {
      const res = await fetch(`${svc.url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`)
      await res.arrayBuffer()
    }
    for (const b of bodies) await post(b) // warm-up
    const rates: number[] = []
    const concurrency = 4
    const requestsPerRound = 32
    for (let round = 0; round < rounds; round++) {
      let next = 0
      const t0 = performance.now()
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next < requestsPerRound) {
          const i = next++
          await post(bodies[i % bodies.length] ?? '')
        }
      }))
      rates.push((requestsPerRound * batch) / ((performance.now() - t0) / 1000))
    }
    out.push(table('Scoring service: format + language through HTTP', ['measure', 'median', 'min', 'max', 'target'], [
      [`completions/s (~${kb.toFixed(2)} KB each, batches of ${batch}, ${concurrency} requests in flight, ${rounds} rounds)`, median(rates), Math.min(...rates), Math.max(...rates), '≥ 10,000'],
      ['service peak RSS (MB, VmHWM)', svc.peakRssMb(), '', '', 'report']
    ]))
  } finally {
    await svc.stop()
  }
  const groups = Array.from({ length: 4096 }, () => Array.from({ length: 16 }, () => (r() < 0.1 ? null : Math.floor(r() * 3))))
  const times: number[] = []
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now()
    batchAdvantages(groups, 'group')
    times.push(performance.now() - t0)
  }
  out.push(table('GRPO advantages, 4,096 groups of 16 (10% null), 50 runs', ['measure', 'median', 'p90', 'target'], [
    ['ms per 1,000 groups', median(times) / 4.096, [...times].sort((a, b) => a - b)[44] as number / 4.096, '≪ 1 ms']
  ]))
  return out.join('\n')
}

if (process.argv[1]?.endsWith('service.ts') === true) console.log(await benchService())
