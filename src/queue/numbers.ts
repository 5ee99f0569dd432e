/**
 * Code tests keep their numbers as written through the queue. The HTTP body parser records the text of
 * numbers such as `5.0`, `1e3` and integers past 2^53 on the parsed tests (src/rewards/code/lossless.ts);
 * BullMQ stores a job as JSON, which loses that. The producer stores, beside the job's request, the lossless
 * JSON text of every code reference's tests whose text differs from plain JSON; the processor parses it back
 * (with its annotations) in place of the round-tripped tests before checking and scoring the job.
 */
import { losslessJson, parseLossless } from '../rewards/code/lossless.ts'

interface GroupLike { reference?: { type?: string, tests?: unknown } }

/** [group index, tests JSON text] of every code reference whose numbers plain JSON would change. */
export function testTexts (groups: GroupLike[]): Array<[number, string]> {
  const out: Array<[number, string]> = []
  groups.forEach((g, i) => {
    const tests = g.reference?.type === 'code' ? g.reference.tests : undefined
    if (tests === undefined) return
    const text = losslessJson(tests)
    if (text !== JSON.stringify(tests)) out.push([i, text])
  })
  return out
}

/**
 * Puts the stored texts' tests back on the groups (annotated). A text that is not the same tests as the
 * job's own (values compared as plain JSON) is refused: the job is malformed. Returns the index of the
 * first bad entry, or -1.
 */
export function restoreTestTexts (groups: GroupLike[], texts: unknown): number {
  if (texts === undefined) return -1
  if (!Array.isArray(texts)) return 0
  for (const [k, entry] of texts.entries()) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'number' || typeof entry[1] !== 'string') return k
    const ref = groups[entry[0]]?.reference
    if (ref?.type !== 'code') return k
    let tests: unknown
    try { tests = parseLossless(entry[1]) } catch { return k }
    if (JSON.stringify(tests) !== JSON.stringify(ref.tests)) return k
    ref.tests = tests
  }
  return -1
}
