/**
 * Scoring-service bench (issue 2): format + language on 1 KB completions through HTTP in batches of 256,
 * the advantage computation for 4,096 groups of 16, and the service's peak RSS.
 * Standalone: node --import tsx bench/service.ts
 */
import { median, rng, table, startService } from './lib.ts'
import { batchAdvantages } from '../src/grpo/advantages.ts'

const SENTENCES = [
  'Let me start by reading the problem carefully and writing down what we know.',
  'We need to find the value of x that makes both sides of the equation equal.',
  'First, I will subtract {a} from both sides to isolate the term with the variable.',
  'Dividing both sides by {b} gives the value of x directly.',
  'Let me double check this result by substituting it back into the original equation.',
  'The left side becomes {a} and the right side is also {a}, so the check works.',
  'Now consider the second part of the question, which asks for the sum of the roots.',
  'By the relation between coefficients and roots, the sum is the negative of the linear coefficient.',
  'I should be careful with the sign here, because it is easy to make a mistake.',
  'So far we have two candidate answers, and only one of them is positive.',
  'Since the problem asks for a positive integer, we keep {b} and discard the other one.',
  'Another way to see this is to factor the quadratic into two linear terms.',
  'Multiplying out the factors gives back the original polynomial, as expected.',
  'The total number of ways is the product of the choices at each step.',
  'There are {a} choices for the first position and {b} for the second.',
  'Therefore the probability is the number of favourable outcomes over the total.',
  'Wait, I think I made an arithmetic error in the previous step, so let me redo it.',
  'After fixing that, the remainder when dividing by {b} is {a}.',
  'This matches the pattern we noticed for the smaller cases.',
  'Putting everything together, the final answer is {a}.'
]

/** A ~1 KB completion in the R1 template with an English chain of thought. */
export function completion (r: () => number): string {
  const sentences: string[] = []
  let len = 0
  while (len < 900) {
    const s = (SENTENCES[Math.floor(r() * SENTENCES.length)] ?? '')
      .replace('{a}', String(Math.floor(r() * 100))).replace('{b}', String(2 + Math.floor(r() * 20)))
    sentences.push(s)
    len += s.length + 1
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
    const concurrency = 8
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
