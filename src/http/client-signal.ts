/**
 * An AbortSignal that fires only when the client goes away before its reply is sent.
 *
 * fastify 5's `request.signal` aborts on the IncomingMessage's 'close', which Node also emits as soon as a
 * request body has been read, so on a real socket every POST handler saw an aborted signal (inject() does
 * not show it). Known upstream: fastify/fastify#4690, fix proposed in fastify/fastify#6725. The response's
 * 'close' before it finished writing is the reliable sign of a disconnect.
 */
import type { FastifyReply } from 'fastify'
import { setMaxListeners } from 'node:events'

export function clientSignal (reply: FastifyReply): AbortSignal {
  const ac = new AbortController()
  // one listener per check in flight (a batch holds thousands): not a leak
  setMaxListeners(0, ac.signal)
  const res = reply.raw
  res.once('close', () => {
    if (!res.writableFinished) ac.abort(new Error('the client closed the connection before the reply was sent'))
  })
  return ac.signal
}
