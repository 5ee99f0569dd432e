/**
 * Large /v1/score replies are written as a stream of JSON text, a chunk of groups at a time with the event
 * loop free in between: serialising a 65k-completion reply in one call holds the main thread for hundreds
 * of milliseconds (every other request, /healthz included, would wait). Small replies go through the
 * route's response schema as usual. The text is the same JSON either way (the reply objects are built to
 * the schema).
 */
import { Readable } from 'node:stream'
import type { ScoreReply } from '../scoring/schema.ts'

/** Replies with more completions than this are streamed. */
export const STREAM_ABOVE = 2048
const GROUPS_PER_CHUNK = 64

export function resultCount (reply: ScoreReply): number {
  let n = 0
  for (const g of reply.groups) n += g.results.length
  return n
}

export function scoreReplyStream (reply: ScoreReply): Readable {
  async function * chunks (): AsyncGenerator<string> {
    yield '{"groups":['
    const groups = reply.groups
    for (let i = 0; i < groups.length; i += GROUPS_PER_CHUNK) {
      const part = groups.slice(i, i + GROUPS_PER_CHUNK).map(g => JSON.stringify(g)).join(',')
      yield i === 0 ? part : `,${part}`
      await new Promise(resolve => setImmediate(resolve))
    }
    yield `],"reward_version":${JSON.stringify(reply.reward_version)},"config_hash":${JSON.stringify(reply.config_hash)}}`
  }
  return Readable.from(chunks(), { objectMode: false })
}
