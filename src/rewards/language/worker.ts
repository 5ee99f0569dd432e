/** Worker thread of LanguagePool: scores the items it is sent and posts the results back. */
import { parentPort } from 'node:worker_threads'
import { scoreLanguageJob, type LanguageJob } from './index.ts'
import type { ComponentResult } from '../types.ts'

parentPort?.on('message', (msg: { id: number, job: LanguageJob }) => {
  let results: ComponentResult[]
  try {
    results = scoreLanguageJob(msg.job)
  } catch (err) {
    results = msg.job.texts.map(() => ({ score: null, status: 'error', reason: `language reward failed: ${(err as Error).message}` }))
  }
  parentPort?.postMessage({ id: msg.id, results })
})
