// Boots a TypeScript worker thread. On Node 20, loader hooks registered in the parent with `--import tsx`
// do not reach worker threads ("Unknown file extension .ts"), so the worker registers tsx itself and then
// loads the module named in workerData.entry. Use it through tsWorker() in ts-worker.ts.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.entry)
