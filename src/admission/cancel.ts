/**
 * One abort listener per signal, however many waiters it cancels. AbortSignal.addEventListener is O(n) in
 * the listeners already there (Node checks for duplicates), so thousands of checks each subscribing to a
 * request's signal cost O(n²): 65k checks froze the event loop for seconds. Waiters subscribe here instead,
 * in O(1), and the signal itself carries one listener that fans out.
 */
type Callback = (reason: unknown) => void

interface Hub { subscribers: Set<Callback> }

const hubs = new WeakMap<AbortSignal, Hub>()

/** Calls `cb` once when `signal` aborts; returns the unsubscribe function (O(1) both ways). */
export function onAbort (signal: AbortSignal, cb: Callback): () => void {
  let hub = hubs.get(signal)
  if (hub === undefined) {
    const h: Hub = { subscribers: new Set() }
    hubs.set(signal, h)
    signal.addEventListener('abort', () => {
      const subs = [...h.subscribers]
      h.subscribers.clear()
      for (const s of subs) s(signal.reason)
    }, { once: true })
    hub = h
  }
  const subs = hub.subscribers
  subs.add(cb)
  return () => { subs.delete(cb) }
}
