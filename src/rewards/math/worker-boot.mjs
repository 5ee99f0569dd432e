// Worker bootstrap. On Node 20, loader hooks registered in the parent with `--import tsx` do not reach
// worker threads (measured: "Unknown file extension .ts"), so each worker registers tsx itself and then
// loads the TypeScript worker.
import { register } from 'tsx/esm/api'

register()
await import(new URL('./worker.ts', import.meta.url).href)
