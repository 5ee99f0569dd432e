/**
 * A service that does not run as root (issue 13): its Python jails take the judge and solution uids from the
 * user's subordinate ids (newuidmap, /etc/subuid), so a correct solution scores 1, a wrong one 0, and the
 * judge/solution separation holds (a representative subset of sandboxes/exploits/python scores 0, an honest
 * job beside each scores 1); a user without subordinate ids gets a pool that refuses to start and a /readyz
 * of 503 naming why (never code rewards of null turned into 0).
 * Needs root (to create the user; it is removed after, with everything it wrote), useradd, bubblewrap,
 * newuidmap (apt-get install uidmap) and a host that allows unprivileged user namespaces. The checks run in
 * a child process as that user (test/sandbox/nonroot-child.ts), with a temp directory of its own; the
 * delegated cgroup v2 case mounts the v2 hierarchy in a mount namespace of its own and removes what it made.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { bwrapMissing } from '../../src/sandbox/bwrap.ts'
import { NEWUIDMAP } from '../../src/sandbox/subids.ts'
import { processesOf, waitFor } from './host-state.ts'

const CHILD = fileURLToPath(new URL('./nonroot-child.ts', import.meta.url))
const REPO = fileURLToPath(new URL('../..', import.meta.url))
const SUB_BASE = 2_000_000 + (process.pid % 1000) * 1000
const SUB_COUNT = 200
const EXPLOITS = [
  'judge_attack/kill_parent.py', 'judge_attack/sigstop_judge.py', 'judge_attack/ptrace_judge.py', 'judge_attack/prlimit_judge.py',
  'judge_attack/proc_snoop.py', 'cpu/ignore_signals.py', 'cpu/hide_cpu_autoreap.py', 'resources/memory_bomb.py', 'resources/huge_output.py',
  'escape/read_shadow.py', 'escape/write_outside_tmp.py', 'cross_job/leave_daemon.py', 'forcing_null/exhaust_pids.py'
]

function whyNot (): string | false {
  if (process.getuid?.() !== 0) return 'needs root to create a non-root service user'
  if (!existsSync('/usr/sbin/useradd')) return 'no useradd'
  if (!existsSync(NEWUIDMAP)) return `no ${NEWUIDMAP} (apt-get install uidmap)`
  if (readFileSync('/proc/sys/user/max_user_namespaces', 'utf8').trim() === '0') return 'user namespaces are off'
  return bwrapMissing() ?? false
}

/**
 * The cgroup v2 hierarchy in a mount namespace of its own (on a v1 host too): `dir` is made, handed to the
 * user (a delegated subtree), the process moved into its leaf `service`, then it becomes the user.
 */
function v2Delegated ([uid, gid]: [number, number], dir: string, argv: string[]): [string, string[]] {
  const d = `/sys/fs/cgroup/${dir}`
  const script = [
    'set -e', 'mount -t cgroup2 none /sys/fs/cgroup', `mkdir -p ${d}/service`,
    `chown ${uid}:${gid} ${d} ${d}/cgroup.procs ${d}/service ${d}/service/cgroup.procs`,
    `echo $$ > ${d}/service/cgroup.procs`,
    `exec setpriv --reuid ${uid} --regid ${gid} --clear-groups ${argv.map(a => `'${a}'`).join(' ')}`
  ].join('\n')
  return ['/usr/bin/unshare', ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', script]]
}

/** Removes what v2Delegated made (the slots' cgroups a pool closed at exit may leave). */
function removeV2 (dir: string): void {
  execFileSync('/usr/bin/unshare', ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c',
    `mount -t cgroup2 none /sys/fs/cgroup && if [ -d /sys/fs/cgroup/${dir} ]; then find /sys/fs/cgroup/${dir} -depth -type d -exec rmdir {} \\; ; fi`])
}

/** Runs the child script as the user and returns its JSON lines (and stderr for failures). */
function asUser ([uid, gid]: [number, number], tmp: string, args: string[], v2dir?: string, prefix: string[] = []): Promise<{ lines: Array<Record<string, unknown>>, stderr: string }> {
  return new Promise((resolve, reject) => {
    const argv = [...prefix, process.execPath, '--import', 'tsx', CHILD, ...args]
    const [cmd, cmdArgs] = v2dir === undefined ? [argv[0] as string, argv.slice(1)] : v2Delegated([uid, gid], v2dir, argv)
    const child = spawn(cmd, cmdArgs, {
      ...(v2dir === undefined && { uid, gid }), // gid: the user's primary group (newuidmap maps only for it)
      cwd: REPO,
      env: { PATH: '/usr/bin:/bin', HOME: tmp, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (b: Buffer) => { out += b.toString() })
    child.stderr.on('data', (b: Buffer) => { err += b.toString() })
    child.on('error', reject)
    child.on('close', () => {
      resolve({ lines: out.split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l) as Record<string, unknown>), stderr: err.slice(-2000) })
    })
  })
}

describe('a service that does not run as root', { skip: whyNot() }, () => {
  const user = `rvnr${process.pid % 100000}`
  let uid = -1
  let ids: [number, number] = [-1, -1]
  let tmp = ''
  before(() => {
    execFileSync('/usr/sbin/useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', user])
    uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim())
    ids = [uid, Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim())]
    tmp = mkdtempSync('/tmp/rv-nonroot-')
    chownSync(tmp, ...ids)
  })
  after(() => {
    execFileSync('/usr/sbin/userdel', [user])
    rmSync(tmp, { recursive: true, force: true })
    assert.equal(readFileSync('/etc/subuid', 'utf8').includes(`${user}:`), false, 'userdel left the subordinate ids')
  })

  test('without subordinate ids the Python pool refuses to start, /readyz is 503 naming why, and a check is a null', async () => {
    const { lines, stderr } = await asUser(ids, tmp, ['ready'])
    const ready = lines.find(l => l.kind === 'readyz') as { code: number, body: { status: string, checks: Record<string, string> } } | undefined
    assert.ok(ready, stderr)
    assert.equal(ready.code, 503, JSON.stringify(ready))
    assert.equal(ready.body.status, 'not_ready')
    assert.match(ready.body.checks.sandboxes ?? '', new RegExp(`user ${user} has no range in /etc/subuid`))
    const verify = lines.find(l => l.kind === 'verify') as { body: { status: string, reward: unknown } } | undefined
    assert.equal(verify?.body.status, 'error')
    assert.equal(verify?.body.reward, null)
  })

  test('with subordinate ids: right 1, wrong 0, every exploit 0 beside an honest 1, CPU time enforced', { timeout: 300_000 }, async () => {
    execFileSync('/usr/sbin/usermod', ['--add-subuids', `${SUB_BASE}-${SUB_BASE + SUB_COUNT - 1}`, '--add-subgids', `${SUB_BASE}-${SUB_BASE + SUB_COUNT - 1}`, user])
    const { lines, stderr } = await asUser(ids, tmp, ['jobs', ...EXPLOITS])
    const pool = lines.find(l => l.kind === 'pool')
    assert.deepEqual(pool, { kind: 'pool', unavailable: null, cpu: 'proc', uid }, stderr)
    assert.deepEqual(lines.find(l => l.kind === 'scores')?.right, 1, JSON.stringify(lines))
    assert.deepEqual(lines.find(l => l.kind === 'scores')?.wrong, 0, JSON.stringify(lines))
    const seen = lines.filter(l => l.kind === 'exploit')
    assert.equal(seen.length, EXPLOITS.length, stderr)
    for (const x of seen) {
      assert.equal(x.missing, undefined, `${String(x.name)} is not in sandboxes/exploits/python`)
      assert.equal(x.status, 'ok', `${String(x.name)}: a sandbox fault instead of a verdict: ${JSON.stringify(x)}`)
      assert.equal(x.reward, 0, JSON.stringify(x))
      assert.equal(x.passed, 0, JSON.stringify(x))
      assert.equal(x.honest, 1, `an honest request failed beside ${String(x.name)}`)
    }
    const cpu = lines.find(l => l.kind === 'cpu') as { used: number, time_ms: number, verdict: string } | undefined
    assert.equal(cpu?.verdict, 'timeout', JSON.stringify(cpu))
    // /proc accounting counts clock ticks (10 ms) and is read every 10 ms: a little more slack than a cgroup
    assert.ok(cpu.used >= cpu.time_ms && cpu.used <= cpu.time_ms + 150, `the solution used ${cpu.used} ms of CPU`)
    // the jails' processes are gone with the child; nothing of the subordinate ids runs on
    assert.ok(await waitFor(() => processesOf(SUB_BASE, SUB_BASE + SUB_COUNT).length === 0, 3000), JSON.stringify(processesOf(SUB_BASE, SUB_BASE + SUB_COUNT)))
  })

  test('a service whose RLIMIT_NPROC cannot hold the jails: the pool refuses, /readyz is 503 naming it', { skip: existsSync('/usr/bin/prlimit') ? false : 'no prlimit (util-linux)' }, async () => {
    const { lines, stderr } = await asUser(ids, tmp, ['ready'], undefined, ['/usr/bin/prlimit', '--nproc=60', '--'])
    const ready = lines.find(l => l.kind === 'readyz') as { code: number, body: { checks: Record<string, string> } } | undefined
    assert.equal(ready?.code, 503, stderr)
    assert.match(ready.body.checks.sandboxes ?? '', /RLIMIT_NPROC \(soft 60, hard 60\)/)
  })

  test('with a delegated cgroup v2 subtree the slots count CPU in cgroups of their own', { skip: existsSync('/usr/bin/unshare') ? false : 'no unshare (util-linux)', timeout: 120_000 }, async () => {
    const dir = `rv-nonroot-${process.pid}`
    try {
      const { lines, stderr } = await asUser(ids, tmp, ['jobs', 'judge_attack/kill_parent.py'], dir)
      assert.deepEqual(lines.find(l => l.kind === 'pool'), { kind: 'pool', unavailable: null, cpu: 'cgroup', uid }, stderr)
      assert.equal(lines.find(l => l.kind === 'scores')?.right, 1, JSON.stringify(lines))
      assert.equal(lines.find(l => l.kind === 'exploit')?.reward, 0, JSON.stringify(lines))
      const cpu = lines.find(l => l.kind === 'cpu') as { used: number, time_ms: number, verdict: string } | undefined
      assert.equal(cpu?.verdict, 'timeout', JSON.stringify(cpu))
      assert.ok(cpu.used >= cpu.time_ms && cpu.used <= cpu.time_ms + 100, `the solution used ${cpu.used} ms of CPU`)
    } finally {
      removeV2(dir)
    }
  })
})
