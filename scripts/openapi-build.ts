/**
 * Generates openapi/openapi.json from the routes' TypeBox schemas.
 *   npm run openapi:build          write the file
 *   npm run openapi:check          exit 1 when the committed file differs from the routes
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { loadConfig } from '../src/config/load.ts'
import { buildApp } from '../src/app.ts'

export async function generateOpenApi (): Promise<string> {
  const app = await buildApp({ config: loadConfig({ MATH_THREADS: '1', LOG_LEVEL: 'silent' }), logger: false })
  await app.ready()
  const spec = JSON.stringify(app.swagger(), null, 2) + '\n'
  await app.close()
  return spec
}

const target = new URL('../openapi/openapi.json', import.meta.url)
if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const spec = await generateOpenApi()
  if (process.argv.includes('--check')) {
    const current = readFileSync(target, 'utf8')
    if (current !== spec) {
      console.error('openapi/openapi.json is out of date: run npm run openapi:build')
      process.exit(1)
    }
    console.log('openapi/openapi.json matches the routes')
  } else {
    writeFileSync(target, spec)
    console.log('wrote openapi/openapi.json')
  }
}
