/** Worker-thread entry: runs checks one message at a time and says when it is ready. */
import { parentPort } from 'node:worker_threads'
import type { MathCheckInput } from './api.ts'
import { checkMathSync } from './check.ts'

interface Job { id: number, input: MathCheckInput }

const port = parentPort
if (port !== null) {
  port.on('message', (job: Job) => {
    port.postMessage({ id: job.id, result: checkMathSync(job.input) })
  })
  // warm the code paths once so the first real check is not slow
  checkMathSync({ gold: '\\frac{1}{2}', prediction: '\\boxed{0.5}', extract: true })
  // and load mathjs's unit system (answers with units) before the first check needs it
  checkMathSync({ gold: '2\\text{ hours}', prediction: '\\boxed{120 minutes}', extract: true })
  port.postMessage({ ready: true })
}
