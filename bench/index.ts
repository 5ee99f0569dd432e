/**
 * npm run bench: every benchmark, printed as markdown tables. Sections: service, math, math-http, pipeline, cli, code, native, native-call, tenants, trainer-ranks.
 * `npm run bench -- service` runs one section. Medians over rounds; all measured in this one run.
 */
import { benchService } from './service.ts'
import { benchCli } from './cli.ts'

const sections: Record<string, () => Promise<string>> = {
  service: benchService,
  math: async () => {
    const m = await import('./math.ts') as { benchMath?: () => Promise<string> }
    return m.benchMath === undefined ? 'math bench missing' : await m.benchMath()
  },
  'math-http': async () => {
    const m = await import('./math-http.ts')
    return await m.benchMathHttp()
  },
  pipeline: async () => {
    const m = await import('./pipeline.ts')
    return await m.benchPipeline()
  },
  cli: async () => await benchCli(),
  code: async () => {
    const m = await import('./code.ts') as { benchCode?: () => Promise<string> }
    return m.benchCode === undefined ? 'code bench missing' : await m.benchCode()
  },
  native: async () => {
    const m = await import('./native.ts')
    return await m.benchNative()
  },
  'native-call': async () => {
    const m = await import('./native-call.ts')
    return await m.benchNativeCall()
  },
  tenants: async () => {
    const m = await import('./tenants.ts')
    return await m.benchTenants()
  },
  'trainer-ranks': async () => {
    const m = await import('./trainer-ranks.ts')
    return await m.benchTrainerRanks()
  }
}

const wanted = process.argv.slice(2)
console.log(`# reward-verifier bench — ${new Date().toISOString()}, node ${process.version}`)
for (const [name, run] of Object.entries(sections)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue
  console.log(`\n## ${name}`)
  console.log(await run())
}
