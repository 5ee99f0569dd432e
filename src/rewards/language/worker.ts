/** Worker thread of LanguagePool: scores the items it is sent and posts the results back. */
import { parentPort } from 'node:worker_threads'
import { languageReward } from './index.ts'
import type { LanguageItem } from './pool.ts'

parentPort?.on('message', (msg: { id: number, items: LanguageItem[] }) => {
  const results = msg.items.map(i => {
    try {
      return languageReward(i.think, i.target)
    } catch (err) {
      return { score: null, status: 'error' as const, reason: `language reward failed: ${(err as Error).message}` }
    }
  })
  parentPort?.postMessage({ id: msg.id, results })
})
