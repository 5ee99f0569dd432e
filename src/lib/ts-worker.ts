/** A worker thread running a TypeScript module (see worker-boot.mjs for why it needs a boot file). */
import { Worker } from 'node:worker_threads'

const boot = new URL('./worker-boot.mjs', import.meta.url)

export function tsWorker (entry: URL): Worker {
  return new Worker(boot, { workerData: { entry: entry.href } })
}
