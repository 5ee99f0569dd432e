/** Test helpers: build(t) gives an app for inject() that is closed when the test ends. */
import type { TestContext } from 'node:test'
import { loadConfig } from '../src/config/load.ts'
import { buildApp } from '../src/app.ts'
import type { App } from '../src/http/services.ts'

export async function build (t: TestContext, env: Record<string, string> = {}): Promise<App> {
  const app = await buildApp({ config: loadConfig({ MATH_THREADS: '1', ...env }), logger: false })
  t.after(async () => { await app.close() })
  await app.ready()
  return app
}

export const r1 = (think: string, answer: string): string => `<think>\n${think}\n</think>\n<answer>\n${answer}\n</answer>`

/** Where the public eval corpora live: EVAL_DIR, else ../shared/eval beside the repository. */
export const evalDir = process.env.EVAL_DIR ?? new URL('../../shared/eval', import.meta.url).pathname
