import { test } from 'node:test'
import assert from 'node:assert/strict'
import Fastify from 'fastify'
import type { AddressInfo } from 'node:net'
import { clientSignal } from '../../src/http/client-signal.ts'

test('clientSignal: a POST whose body was read is not aborted; a client that hangs up is', async (t) => {
  const app = Fastify()
  const seen: Array<{ id: string, aborted: boolean }> = []
  app.post('/wait', async (request, reply) => {
    const signal = clientSignal(reply)
    const fastifySignal = request.signal // taken at the start of the handler, as routes do
    const id = (request.body as { id: string }).id
    await new Promise(resolve => { const timer = setTimeout(resolve, 400); signal.addEventListener('abort', () => { clearTimeout(timer); resolve(null) }) })
    seen.push({ id, aborted: signal.aborted })
    return { aborted: signal.aborted, fastifySignalAborted: fastifySignal.aborted }
  })
  t.after(async () => { await app.close() })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/wait`
  const post = async (id: string, signal?: AbortSignal): Promise<Response> =>
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, pad: 'x'.repeat(10_000) }), signal })

  const ok = await (await post('stays')).json() as { aborted: boolean, fastifySignalAborted: boolean }
  assert.equal(ok.aborted, false)
  // what this works around: fastify's request.signal reports an abort though the client is still there
  assert.equal(ok.fastifySignalAborted, true)

  const ac = new AbortController()
  setTimeout(() => ac.abort(), 100)
  await assert.rejects(post('leaves', ac.signal))
  for (let i = 0; i < 50 && seen.length < 2; i++) await new Promise(resolve => setTimeout(resolve, 20))
  assert.deepEqual(seen.find(s => s.id === 'leaves'), { id: 'leaves', aborted: true })
})
