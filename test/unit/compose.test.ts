import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { ConfigSchema } from '../../src/config/schema.ts'

const root = new URL('../../', import.meta.url)
interface Service {
  image?: string,
  build?: unknown,
  command?: string[],
  ports?: string[],
  container_name?: string,
  profiles?: string[],
  environment?: Record<string, string>,
  security_opt?: string[],
  cap_add?: string[],
  healthcheck?: { test: string[] },
  depends_on?: Record<string, { condition: string }>,
  deploy?: { replicas?: number, resources?: { reservations?: { devices?: Array<{ driver: string, capabilities: string[] }> } } },
  stop_grace_period?: string,
  volumes?: string[]
}
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8'), { merge: true }) as { services: Record<string, Service>, volumes: Record<string, unknown> }
const { redis, api, worker, trainer } = compose.services as Record<'redis' | 'api' | 'worker' | 'trainer', Service>

test('compose: exactly redis, api, worker, trainer and its rendezvous', () => {
  assert.deepEqual(Object.keys(compose.services).sort(), ['api', 'redis', 'trainer', 'trainer-rdzv', 'worker'])
})

test('compose: redis persists (append-only), never evicts, has a healthcheck, keeps its data in a volume', () => {
  const cmd = redis.command ?? []
  assert.equal(cmd[0], 'redis-server')
  const arg = (name: string): string | undefined => cmd[cmd.indexOf(name) + 1]
  assert.equal(arg('--appendonly'), 'yes')
  assert.equal(arg('--maxmemory-policy'), 'noeviction')
  assert.deepEqual(redis.healthcheck?.test, ['CMD', 'redis-cli', 'ping'])
  assert.ok(redis.volumes?.some(v => v.endsWith(':/data')))
  assert.equal(redis.ports, undefined, 'Redis is not published to the host')
})

test('compose: api and worker run the two entry points from the image built here, against the compose Redis', () => {
  assert.deepEqual(api.command, ['node', '--import', 'tsx', 'src/server.ts'])
  assert.deepEqual(worker.command, ['node', '--import', 'tsx', 'src/worker.ts'])
  for (const s of [api, worker]) {
    const entry = s.command?.[3] ?? ''
    assert.ok(existsSync(new URL(entry, root)), `${entry} exists`)
    assert.equal(s.build, '.')
    assert.equal(s.environment?.REDIS_URL, 'redis://redis:6379')
    assert.equal(s.depends_on?.redis?.condition, 'service_healthy')
    for (const key of Object.keys(s.environment ?? {})) assert.ok(key in ConfigSchema.properties, `${key} is a configuration key`)
  }
  assert.deepEqual(api.ports, ['8080:8080'])
  assert.equal(api.environment?.HOST, '0.0.0.0', 'reachable from outside its container')
  assert.equal(api.environment?.PORT, '8080')
  assert.match(api.healthcheck?.test.join(' ') ?? '', /healthz/)
  const docker = readFileSync(new URL('Dockerfile', root), 'utf8')
  assert.match(docker, /apt-get install[^\n]*bubblewrap/)
  assert.match(docker, /CMD \["node", "--import", "tsx", "src\/server\.ts"\]/)
  assert.match(docker, /EXPOSE 8080/)
})

test('compose: the worker scales (no container_name, no published ports) and shuts down gracefully', () => {
  assert.equal(worker.container_name, undefined)
  assert.equal(worker.ports, undefined)
  assert.ok((worker.deploy?.replicas ?? 0) >= 2)
  const grace = Number(worker.environment?.WORKER_SHUTDOWN_GRACE_MS ?? NaN) / 1000
  assert.ok(Number.parseInt(worker.stop_grace_period ?? '0') > grace, 'Docker waits longer than the worker grace period before SIGKILL')
  for (const s of Object.values(compose.services)) assert.equal(s.container_name, undefined)
})

test('compose: api and worker get what bubblewrap needs, and no more', () => {
  for (const s of [api, worker]) {
    assert.deepEqual([...(s.security_opt ?? [])].sort(), ['apparmor=unconfined', 'seccomp=unconfined', 'systempaths=unconfined'])
    assert.equal(s.cap_add, undefined, 'no extra capability: bwrap goes through unprivileged user namespaces')
  }
  assert.equal(redis.security_opt, undefined)
  assert.equal(trainer.security_opt, undefined)
})

test('compose: the GPU trainer runs python -m trainer (torchrun, N ranks) under a profile, talks HTTP to the api, reserves a GPU per rank', () => {
  assert.deepEqual(trainer.profiles, ['gpu'])
  assert.equal(trainer.command?.[0], 'torchrun')
  assert.deepEqual(trainer.command?.slice(-2), ['-m', 'trainer'])
  assert.ok(trainer.command?.some(a => a.startsWith('--nnodes=') && a.includes('TRAINER_RANKS')), 'as many rendezvous nodes as ranks (TRAINER_RANKS)')
  assert.ok(trainer.command?.includes('--rdzv_endpoint=trainer-rdzv:29400'))
  assert.equal(trainer.container_name, undefined, 'scalable: --scale trainer=N')
  assert.equal(trainer.ports, undefined, 'scalable: no published ports')
  const rdzv = compose.services['trainer-rdzv']!
  assert.deepEqual(rdzv.profiles, ['gpu'])
  assert.match(rdzv.command?.join(' ') ?? '', /TCPStore\('0\.0\.0\.0', 29400/)
  assert.equal(trainer.environment?.REWARD_VERIFIER_URL, 'http://api:8080')
  assert.equal(trainer.environment?.REDIS_URL, undefined, 'no Redis client in the trainer')
  assert.equal(trainer.depends_on?.api?.condition, 'service_healthy')
  const dev = trainer.deploy?.resources?.reservations?.devices?.[0]
  assert.equal(dev?.driver, 'nvidia')
  assert.deepEqual(dev?.capabilities, ['gpu'])
  assert.ok(existsSync(new URL('trainer/', root)), 'the trainer package it mounts exists')
})
