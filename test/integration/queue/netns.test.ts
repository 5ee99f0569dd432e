/**
 * Scoring workers on other hosts: Redis, the API and two workers each in a network namespace of its own
 * (its own loopback, a veth to one bridge made by this test), so the only path between them is the
 * network. One host's worker is SIGKILLed mid-batch; nothing is lost, each group is delivered once.
 * Needs root (ip netns); the namespaces, veths and bridge are removed afterwards.
 * The API binds a non-loopback address, so it runs with API keys (API_KEYS_FILE, minted as `keys add` does).
 * Processes join a host's network namespace only (nsenter --net), keeping the machine's mounts as a real
 * host has them: `ip netns exec` also remounts /sys, which hides /sys/fs/cgroup (see the test's note).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mathRollout, post, until } from './helpers.ts'
import { keysFile, bearer } from '../../http/keys.ts'

const root = new URL('../../../', import.meta.url).pathname
const GROUPS = 40

function ip (...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`)
}

/** A bridge and one namespace per host, each with a veth to the bridge; the bridge itself has .254 (the test driver). */
class Net {
  readonly tag = randomBytes(3).toString('hex')
  readonly subnet = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}`
  readonly bridge = `rwb${this.tag}`
  readonly hosts: string[] = []

  constructor () {
    ip('link', 'add', this.bridge, 'type', 'bridge')
    ip('addr', 'add', `${this.subnet}.254/24`, 'dev', this.bridge)
    ip('link', 'set', this.bridge, 'up')
  }

  /** A host: namespace `rw<tag><n>` with address <subnet>.<n>; returns the address. */
  host (n: number): string {
    const ns = `rw${this.tag}${n}`
    const outer = `rwv${this.tag}${n}`
    ip('netns', 'add', ns)
    this.hosts.push(ns)
    ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns)
    ip('link', 'set', outer, 'master', this.bridge)
    ip('link', 'set', outer, 'up')
    ip('-n', ns, 'addr', 'add', `${this.subnet}.${n}/24`, 'dev', 'eth0')
    ip('-n', ns, 'link', 'set', 'eth0', 'up')
    ip('-n', ns, 'link', 'set', 'lo', 'up')
    return `${this.subnet}.${n}`
  }

  ns (n: number): string { return `rw${this.tag}${n}` }

  destroy (): void {
    for (const ns of this.hosts) spawnSync('ip', ['netns', 'del', ns]) // takes its veth pair with it
    spawnSync('ip', ['link', 'del', this.bridge])
  }
}

/** Runs `cmd` in the network namespace `ns` only (its mounts stay the machine's, /sys/fs/cgroup included). */
function inNs (ns: string, cmd: string, args: string[], env: Record<string, string>): { child: ChildProcess, log: () => string } {
  const child = spawn('nsenter', [`--net=/run/netns/${ns}`, cmd, ...args], { cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', MATH_THREADS: '1', TEXT_THREADS: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-10_000) })
  child.stderr?.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-10_000) })
  return { child, log: () => out }
}

async function kill (child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill(signal)
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  await exited
  clearTimeout(timer)
}

/** Whether host `ns` opens a TCP connection to addr:port (bash's /dev/tcp; nsenter --net like the processes). */
function reaches (ns: string, addr: string, port: number): boolean {
  return spawnSync('nsenter', [`--net=/run/netns/${ns}`, 'bash', '-c', `exec 3<>/dev/tcp/${addr}/${port}`], { encoding: 'utf8', timeout: 5000 }).status === 0
}

const fence = (code: string): string => `<think>\nwrite it\n</think>\n<answer>\n\`\`\`python\n${code}\n\`\`\`\n</answer>`
/** One Python code group: the worker host that scores it runs it in its own jail. */
const codeRollout = {
  id: 'ns-code',
  groups: [{
    id: 'ns-code-g0',
    reference: { type: 'code', language: 'python', tests: { type: 'call', function: 'add', cases: [{ args: [1, 2], expected: 3 }, { args: [5, -5], expected: 0 }] } },
    completions: [fence('def add(a, b):\n    return a + b'), fence('def add(a, b):\n    return 3')]
  }]
}

test('API and two workers on separate network hosts (netns): one host\'s worker SIGKILLed mid-batch loses nothing', {
  // Why the processes join only the network namespace (nsenter --net), not `ip netns exec`: the latter also
  // mounts a fresh sysfs on /sys, where /sys/fs/cgroup is an empty sysfs directory. There the code sandboxes
  // cannot make their slot cgroups: today the Python pool says so and stays down (code rewards answer status
  // error); before, Node 20's mkdirSync(..., { recursive: true }) spun forever on the ENOENT of
  // /sys/fs/cgroup/memory inside the onReady warm-up, so the API never listened. A host of its own has its
  // cgroups mounted; nsenter --net keeps them.
  skip: process.getuid?.() !== 0 ? 'needs root for ip netns' : false
}, async (t) => {
  const net = new Net()
  const procs: ChildProcess[] = []
  const dir = mkdtempSync(join(tmpdir(), 'rwd-netns-'))
  t.after(async () => {
    for (const p of procs) await kill(p, 'SIGKILL')
    net.destroy()
    rmSync(dir, { recursive: true, force: true })
  })
  const keys = keysFile(t, { producer: ['rollouts:ns'], trainer: ['trainer:ns'] })
  const producer = bearer(keys.key.producer)
  const trainer = bearer(keys.key.trainer)
  const redisIp = net.host(1)
  const apiIp = net.host(2)
  net.host(3)
  net.host(4)
  const redis = inNs(net.ns(1), '/usr/bin/redis-server', ['--bind', redisIp, '--port', '6379', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'no'], {})
  procs.push(redis.child)
  const env = { REDIS_URL: `redis://${redisIp}:6379`, QUEUE_PREFIX: 'netns', EMBEDDED_WORKER: 'false', WORKER_LOCK_MS: '1500', WORKER_CONCURRENCY: '2' }
  const api = inNs(net.ns(2), process.execPath, ['--import', 'tsx', 'src/server.ts'], { ...env, HOST: apiIp, PORT: '8080', API_KEYS_FILE: keys.path })
  procs.push(api.child)
  const url = `http://${apiIp}:8080`
  // ready: the math verifier answers and the code sandboxes warmed up inside the API host's namespace
  await until('the API on its own host to be ready', async () => (await fetch(`${url}/readyz`)).ok, 60_000, 250).catch(err => { throw new Error(`${(err as Error).message}\n${api.log()}`) })
  assert.ok(reaches(net.ns(3), apiIp, 8080), 'a worker host reaches the API over the bridge')
  assert.ok(!reaches(net.ns(3), '127.0.0.1', 8080), 'a worker host does not reach the API on its own loopback')
  assert.ok(!reaches(net.ns(3), '127.0.0.1', 6379), 'nor Redis')
  assert.equal((await post(`${url}/v1/rollouts`, mathRollout('ns-anon', 1, 4, { run: 'ns' }))).status, 401, 'no key: 401')
  assert.equal((await post(`${url}/v1/rollouts`, mathRollout('ns-wrong', 1, 4, { run: 'ns' }), trainer)).status, 403, 'a trainer key cannot submit')
  const ids = Array.from({ length: 10 }, (_, i) => `ns-${i}`)
  for (const id of ids) assert.equal((await post(`${url}/v1/rollouts`, mathRollout(id, GROUPS, 4, { run: 'ns' }), producer)).status, 202)
  assert.equal((await post(`${url}/v1/rollouts`, { ...codeRollout, run: 'ns' }, producer)).status, 202)
  const all = [...ids, codeRollout.id]
  const states = async (): Promise<string[]> => await Promise.all(all.map(async id => ((await (await fetch(`${url}/v1/rollouts/${id}`, { headers: producer })).json()) as { state: string }).state))
  const w1 = inNs(net.ns(3), process.execPath, ['--import', 'tsx', 'src/worker.ts'], { ...env, HOST: '127.0.0.1' })
  procs.push(w1.child)
  await until('the first host\'s worker to be mid-batch', async () => {
    const s = await states()
    return s.includes('active') && s.includes('completed')
  }, 60_000, 20).catch(err => { throw new Error(`${(err as Error).message}\n${w1.log()}`) })
  await kill(w1.child, 'SIGKILL')
  const left = (await states()).filter(s => s !== 'completed').length
  assert.ok(left > 0, 'killed before the end')
  const w2 = inNs(net.ns(4), process.execPath, ['--import', 'tsx', 'src/worker.ts'], { ...env, HOST: '127.0.0.1' })
  procs.push(w2.child)
  await until('every rollout to complete on the other host', async () => (await states()).every(s => s === 'completed'), 60_000, 200).catch(err => { throw new Error(`${(err as Error).message}\n${w2.log()}`) })
  const seen: Array<{ id: string, results: Array<{ components: { accuracy?: { score: number } } }> }> = []
  for (let i = 0; i < 50 && seen.length < ids.length * GROUPS + 1; i++) {
    const l = await post(`${url}/v1/trainer/lease`, { run: 'ns', max_groups: 500, lease_ms: 10_000, wait_ms: 1000 }, trainer)
    assert.equal(l.status, 200, JSON.stringify(l.json))
    if (l.json.lease === null) continue
    seen.push(...l.json.groups)
    assert.equal((await post(`${url}/v1/trainer/ack`, { lease: l.json.lease }, trainer)).status, 200)
  }
  const extra = await post(`${url}/v1/trainer/lease`, { run: 'ns', max_groups: 500, lease_ms: 10_000, wait_ms: 500 }, trainer)
  assert.equal(extra.json.groups.length, 0, 'nothing more')
  const seenIds = seen.map(g => g.id)
  assert.equal(new Set(seenIds).size, seenIds.length, 'each group delivered once')
  assert.deepEqual([...seenIds].sort(), [...ids.flatMap(id => Array.from({ length: GROUPS }, (_, g) => `${id}-g${g}`)), 'ns-code-g0'].sort(), 'every group delivered')
  const code = seen.find(g => g.id === 'ns-code-g0')
  assert.deepEqual(code?.results.map(r => r.components.accuracy?.score), [1, 0.5], 'a worker host judged the code in its own jail (the second passes one case of two)')
  await kill(w2.child, 'SIGTERM')
  assert.equal(w2.child.exitCode, 0, 'SIGTERM: a clean exit')
})
