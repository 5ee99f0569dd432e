/** Entry: load the configuration, build the app, listen; close gracefully on SIGTERM/SIGINT. */
import closeWithGrace from 'close-with-grace'
import { loadConfig } from './config/load.ts'
import { buildApp } from './app.ts'

let config
try {
  config = loadConfig(process.env)
} catch (err) {
  console.error(`reward-verifier: not starting: ${(err as Error).message}`)
  process.exit(1)
}
let app
try {
  app = await buildApp({ config, worker: config.EMBEDDED_WORKER, warmSandboxes: true })
} catch (err) {
  console.error(`reward-verifier: not starting: ${(err as Error).message}`)
  process.exit(1)
}
closeWithGrace({ delay: 10_000 }, async ({ err }) => {
  if (err !== undefined) app.log.error({ err }, 'closing after error')
  await app.close()
})
try {
  await app.listen({ host: config.HOST, port: config.PORT })
} catch (err) {
  app.log.error({ err }, 'could not listen')
  process.exit(1)
}
