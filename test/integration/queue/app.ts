/** An in-process app (inject) on a unique queue prefix, optionally with its embedded worker. */
import type { TestContext } from 'node:test'
import { loadConfig } from '../../../src/config/load.ts'
import { buildApp } from '../../../src/app.ts'
import type { App } from '../../../src/http/services.ts'
import { REDIS_URL, cleanupPrefix, uniquePrefix } from './helpers.ts'

export async function queueApp (t: TestContext, opts: { worker?: boolean, env?: Record<string, string>, name?: string, url?: string } = {}): Promise<{ app: App, prefix: string }> {
  const prefix = uniquePrefix(opts.name ?? 'app')
  const url = opts.url ?? REDIS_URL
  cleanupPrefix(t, prefix, url)
  const config = loadConfig({ MATH_THREADS: '1', TEXT_THREADS: '0', REDIS_URL: url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent', ...opts.env })
  const app = await buildApp({ config, logger: false, worker: opts.worker ?? false })
  t.after(async () => { await app.close() })
  await app.ready()
  return { app, prefix }
}
