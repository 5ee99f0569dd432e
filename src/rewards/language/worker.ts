/** Worker thread of LanguagePool: scores the items it is sent and posts the results back. */
import { parentPort } from 'node:worker_threads'
import { scoreLanguageItems, type LanguageItem } from './index.ts'
import type { ComponentResult } from '../types.ts'

parentPort?.on('message', (msg: { id: number, items: LanguageItem[] }) => {
  let results: ComponentResult[]
  try {
    results = scoreLanguageItems(msg.items)
  } catch (err) {
    results = msg.items.map(() => ({ score: null, status: 'error', reason: `language reward failed: ${(err as Error).message}` }))
  }
  parentPort?.postMessage({ id: msg.id, results })
})
