/**
 * Warm run jails (README "Warm run jails"), adversarially, against real jails: one slot, so every run lands in
 * the same warm jail. Each hostile run gets its verdict as a fresh jail would give it, and the probe run after
 * it in the same slot sees nothing it left (files, SysV IPC, processes, cwd/umask/rlimits, fds, stdin/stdout),
 * and gets its normal verdict. The probe prints pid 1's start time: after a run that ended normally the jail
 * was reused (same start time), so the cleanup itself is what is tested, not a fresh jail.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NativeRuntime } from '../../../src/sandbox/native/runtime.ts'
import { runNative } from '../../../src/rewards/code/native-run.ts'
import { NATIVE_META } from '../../../src/sandbox/native/toolchains.ts'
import { skipUnless } from './helper.ts'

const HOSTILE = String.raw`#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>
#include <unistd.h>

static int lines (const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  int n = 0, c;
  while ((c = fgetc(f)) != EOF) n += c == '\n';
  fclose(f);
  return n - 1; /* header */
}

static void daemonize (int ignore_term) {
  if (fork() != 0) return;
  setsid();
  if (fork() != 0) _exit(0);
  if (ignore_term) signal(SIGTERM, SIG_IGN);
  for (int k = 0; k <= 9; k++) close(k);
  for (;;) { /* writes into /tmp forever */
    int fd = open("/tmp/daemon", O_WRONLY | O_CREAT | O_APPEND, 0666);
    if (fd >= 0) { write(fd, "x", 1); close(fd); }
    usleep(1000);
  }
}

int main (void) {
  char cmd[64] = "";
  if (scanf("%63s", cmd) != 1) return 9;
  if (!strcmp(cmd, "tmp")) {
    mkdir("/tmp/d", 0700);
    FILE *f = fopen("/tmp/d/secret", "w"); fputs("left", f); fclose(f);
    f = fopen("/tmp/leak", "w"); fputs("left", f); fclose(f);
    mkfifo("/tmp/fifo", 0666);
    symlink("/proc/1", "/tmp/link");
    chmod("/tmp/d", 0);
    chmod("/tmp", 0);
    puts("ok");
  } else if (!strcmp(cmd, "ipc")) {
    int s = shmget(4242, 4096, IPC_CREAT | 0666), p = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    char *m = shmat(s, 0, 0); strcpy(m, "left");
    int sem = semget(4243, 1, IPC_CREAT | 0666), q = msgget(4244, IPC_CREAT | 0666);
    printf("%s\n", s >= 0 && p >= 0 && sem >= 0 && q >= 0 ? "ok" : "ipc failed");
  } else if (!strcmp(cmd, "keys")) {
    long u = syscall(SYS_add_key, "user", "leak", "left", 4, KEY_SPEC_USER_KEYRING);
    long us = syscall(SYS_add_key, "user", "leak", "left", 4, KEY_SPEC_USER_SESSION_KEYRING);
    long pk = syscall(SYS_keyctl, KEYCTL_GET_PERSISTENT, -1, KEY_SPEC_PROCESS_KEYRING);
    if (pk >= 0) syscall(SYS_add_key, "user", "leak", "left", 4, pk);
    printf("%s\n", u >= 0 && us >= 0 && pk >= 0 ? "ok" : "add_key failed");
  } else if (!strcmp(cmd, "daemon")) {
    daemonize(0); daemonize(1);
    puts("ok");
  } else if (!strcmp(cmd, "state")) {
    chdir("/"); umask(0);
    struct rlimit r = { 3, 3 }; setrlimit(RLIMIT_NOFILE, &r);
    puts("ok");
  } else if (!strcmp(cmd, "pid1")) {
    int k = kill(1, SIGKILL), t = kill(1, SIGTERM), pt = (int)ptrace(PTRACE_ATTACH, 1, 0, 0);
    int fd = open("/proc/1/mem", O_RDONLY), e = open("/proc/1/environ", O_RDONLY);
    DIR *d = opendir("/proc/1/fd");
    printf("%s\n", k == 0 && t == 0 && pt == -1 && fd < 0 && e < 0 && d == NULL ? "ok" : "pid 1 reachable");
  } else if (!strcmp(cmd, "flood")) {
    daemonize(1);
    for (;;) fputs("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\n", stdout);
  } else if (!strcmp(cmd, "loop")) {
    daemonize(1);
    volatile unsigned long x = 0; for (;;) x++;
  } else if (!strcmp(cmd, "sleep")) {
    for (;;) pause();
  } else if (!strcmp(cmd, "mem")) {
    static char *volatile keep[4096];
    for (int i = 0; i < 4096; i++) { keep[i] = malloc(1 << 20); if (!keep[i]) return 3; memset(keep[i], 1, 1 << 20); }
  } else if (!strcmp(cmd, "fd4")) {
    char nonce[64] = ""; scanf("%63s", nonce);
    dprintf(4, "%s\n", nonce);
    daemonize(1);
    puts("ok");
  } else if (!strcmp(cmd, "probe")) {
    char echo[64] = ""; scanf("%63s", echo);
    int fds = 0; for (int k = 3; k < 64; k++) fds += fcntl(k, F_GETFD) >= 0; /* before this program opens any */
    DIR *d = opendir("/tmp"); int entries = 0, boxed = 0; struct dirent *x;
    while (d && (x = readdir(d))) entries += strcmp(x->d_name, ".") && strcmp(x->d_name, "..");
    d = opendir("/box");
    while (d && (x = readdir(d))) boxed += strcmp(x->d_name, ".") && strcmp(x->d_name, "..");
    struct stat st; stat("/tmp", &st);
    int procs = 0; DIR *p = opendir("/proc");
    while (p && (x = readdir(p))) procs += x->d_name[0] >= '1' && x->d_name[0] <= '9' && strcmp(x->d_name, "1") && atoi(x->d_name) != getpid();
    char cwd[256] = ""; getcwd(cwd, sizeof cwd);
    mode_t um = umask(0);
    struct rlimit r; getrlimit(RLIMIT_NOFILE, &r);
    int s = shmget(4242, 0, 0), sem = semget(4243, 0, 0), q = msgget(4244, 0);
    long rings[3] = { KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING, syscall(SYS_keyctl, KEYCTL_GET_PERSISTENT, -1, KEY_SPEC_PROCESS_KEYRING) };
    int keys = 0; for (int k = 0; k < 3; k++) keys += rings[k] != -1 && syscall(SYS_keyctl, KEYCTL_SEARCH, rings[k], "user", "leak", 0) >= 0;
    char start[64] = "?"; FILE *f = fopen("/proc/1/stat", "r");
    if (f) { char b[1024]; size_t n = fread(b, 1, sizeof b - 1, f); b[n] = 0; char *c = strrchr(b, ')'); int field = 2;
      for (char *t = strtok(c + 2, " "); t; t = strtok(NULL, " ")) if (++field == 22) { snprintf(start, sizeof start, "%s", t); break; } fclose(f); }
    fprintf(stderr, "start %s\n", start);
    printf("echo %s box %d tmp %d mode %o procs %d cwd %s umask %o nofile %lu fds %d keys %d ipc %d %d %d %d %d %d\n", echo, boxed, entries, st.st_mode & 07777,
      procs, cwd, um, (unsigned long)r.rlim_cur, fds, keys, lines("/proc/sysvipc/shm"), lines("/proc/sysvipc/sem"), lines("/proc/sysvipc/msg"), s, sem, q);
  }
  return 0;
}
`

const LIMITS = { ...NATIVE_META.c.limits, time_ms: 1000, wall_factor: 1, wall_extra_ms: 500, memory_mb: 64, output_bytes: 65536 }

describe('warm run jails: nothing crosses runs in one slot', { skip: skipUnless('c') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'rv-native-test-warm-'))
  const rt = new NativeRuntime({ slots: 1, uidBase: 67300, checkerUidBase: 67350, cacheDir: dir, cacheBytes: 1 << 30, warm: true })
  after(() => { rt.close(); rmSync(dir, { recursive: true, force: true }) })
  let box = ''
  let clean = ''
  const limits = { cpuMs: 1000, wallMs: 1500, memoryMb: 64, outputBytes: 65536, fsizeBytes: 1 << 24, nofile: 64, nproc: NATIVE_META.c.jail.nproc, tmpfsBytes: NATIVE_META.c.jail.tmpfs_bytes }
  const probe = async (echo: string): Promise<{ line: string, start: string }> => {
    const r = await rt.run('c', 'stdio', HOSTILE, box, `probe ${echo}\n`, limits)
    assert.equal(r.report?.exit, 0, JSON.stringify(r))
    return { line: r.stdout.trim(), start: r.stderr.trim() }
  }
  const verdict = async (stdin: string): Promise<string> => {
    const r = await runNative(rt, { language: 'c', code: HOSTILE, tests: { type: 'stdio', cases: [{ stdin, stdout: 'ok\n' }] } }, LIMITS)
    return r.tests[0]?.verdict ?? `no test: ${JSON.stringify(r)}`
  }

  before(async () => {
    const b = await rt.build('c', 'stdio', HOSTILE)
    assert.equal(b.outcome.kind, 'ok', JSON.stringify(b.outcome))
    if (b.outcome.kind === 'ok') box = b.outcome.box
    clean = (await probe('first')).line.replace('echo first ', '')
    assert.match(clean, /^box 1 tmp 0 mode \d+ procs 0 cwd \/tmp umask 22 nofile 64 fds 0 keys 0 ipc 0 0 0 -1 -1 -1$/)
  })

  const cases: Array<[string, string, string, boolean]> = [
    // [name, stdin, verdict, the jail is kept warm]
    ['files, a fifo, a symlink and an unreadable dir in /tmp, /tmp itself chmod 0', 'tmp', 'passed', true],
    ['SysV shm (attached, keyed and private), a semaphore, a message queue', 'ipc', 'passed', true],
    ['keys in the user, user-session and persistent keyrings', 'keys', 'passed', true],
    ['two daemons (double fork + setsid, one ignoring SIGTERM) writing to /tmp', 'daemon', 'passed', true],
    ['cwd, umask and RLIMIT_NOFILE changed', 'state', 'passed', true],
    ['signals and ptrace at pid 1, its /proc/1/mem, environ and fds', 'pid1', 'passed', true],
    ['an output flood past the cap with a daemon', 'flood', 'output_limit', false],
    ['a CPU loop with a daemon', 'loop', 'timeout', true],
    ['sleeping forever', 'sleep', 'timeout', true],
    // memory_limit by the slot's memory cgroup; only without one (the fallback) RLIMIT_AS makes malloc fail: exit 3
    ['memory past the cap', 'mem', rt.pool.memoryCgroups ? 'memory_limit' : 'runtime_error', true]
  ]
  for (const [name, stdin, want, warm] of cases) {
    test(`${name}: ${want}, and the next run sees none of it`, async () => {
      const was = await probe('before')
      const got = await verdict(stdin)
      assert.ok(want.split('|').includes(got), want)
      const next = await probe(stdin)
      assert.equal(next.line, `echo ${stdin} ${clean}`)
      if (warm) assert.equal(next.start, was.start, 'the warm jail was reused')
      assert.equal(await verdict('state'), 'passed', 'the next program gets its normal verdict')
    })
  }

  test('consecutive runs: stdin, stdout and fd 4 never mix', async () => {
    for (let i = 0; i < 12; i++) {
      const r = await rt.run('c', 'stdio', HOSTILE, box, `fd4 nonce${i}\n`, limits, undefined, 256)
      assert.equal(r.stdout, 'ok\n')
      assert.equal(r.result, `nonce${i}\n`)
      assert.equal((await probe(`run${i}`)).line, `echo run${i} ${clean}`)
    }
  })

  test('a run never sees another program\'s files in /box, and the slot box is empty between runs', async () => {
    const other = await rt.build('c', 'stdio', 'int main(void){return 0;}\n')
    assert.equal(other.outcome.kind, 'ok')
    if (other.outcome.kind !== 'ok') return
    const r = await rt.run('c', 'stdio', '', other.outcome.box, '', limits)
    assert.equal(r.report?.exit, 0)
    assert.equal((await probe('box')).line, `echo box ${clean}`)
  })
})
