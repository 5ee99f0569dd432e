/*
 * runner: the supervisor inside every native jail (compile, run, checker). bwrap starts it as pid 1 of the
 * jail's pid namespace (--as-pid-1), as the slot's unprivileged uid. Signals from inside the namespace do not
 * reach it (pid 1 without handlers), it is not dumpable (no ptrace, no /proc/1/fd), and the children it starts
 * never hold its control, frame or report fds (all CLOEXEC).
 *
 * One run (compiles, checkers, the fallback of runs):
 *   runner CPU_MS WALL_MS NPROC FSIZE NOFILE AS_BYTES STACK_BYTES -- PROGRAM ARGS...
 * The child execs PROGRAM with the jail's stdin/stdout/stderr (and fd 4 when the host passed one); one JSON line
 * goes to fd 3 and the runner exits.
 *
 * Warm jail (runs of built programs, README "Warm run jails"):
 *   runner --serve
 * reads requests on fd 0, one at a time:
 *   "CPU_MS WALL_MS NPROC FSIZE NOFILE AS_BYTES STACK_BYTES OUT_CAP RESULT_CAP ARGC ENVC STR_BYTES STDIN_LEN\n"
 *   then STR_BYTES of ARGC NUL-terminated argv strings and ENVC NUL-terminated "K=V" strings, STDIN_LEN bytes of stdin
 * (RESULT_CAP -1: no fd 4). Per request it forks the child with fresh pipes for stdin/stdout/stderr (and fd 4),
 * relays their bytes to fd 1 as frames [type][u32 little-endian length][bytes] (type 'o' stdout, 'e' stderr,
 * 'r' fd 4, at most OUT_CAP bytes of stdout + stderr: past it every process is killed, limit "output"; at most
 * RESULT_CAP + 1 of fd 4), then kills every other process of the namespace, removes the namespace's SysV IPC
 * objects, the keys in the uid's keyrings and everything under /tmp, and ends the run with an 'R' frame holding the report line, with
 * "clean":false when something could not be removed (the host then tears the jail down). EOF on fd 0 ends it.
 *
 * The child gets the rlimits (RLIMIT_CPU = CPU_MS rounded up + 1 s as a hard backstop; AS_BYTES 0 = no
 * RLIMIT_AS, the cgroup caps memory; RLIMIT_MSGQUEUE 0: no POSIX message queue, which could not be listed and
 * removed without an mqueue mount), umask 022, cwd /tmp. The runner sums the CPU time of every process of the
 * namespace (reaped ones through RUSAGE_CHILDREN, as a delta from the fork; live ones through /proc/<pid>/stat)
 * every few ms and kills them all past CPU_MS, or past WALL_MS when none of them is runnable (wall_idle), or
 * past 5 x WALL_MS in any case (wall_busy: the host starved the run). When the main child ends, every other
 * process of the namespace is killed too (no daemon outlives a run). The report:
 *   {"exit":N|null,"signal":N|null,"cpu_ms":F,"wall_ms":F,"limit":"cpu"|"wall_idle"|"wall_busy"|"output"|null,"maxrss_kb":N,"exec_errno":N,"clean":B}
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms (void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double tv_ms (struct timeval t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; }

/* Calls fn(text after the command name's closing parenthesis, ctx) with /proc/<pid>/stat of every live process
 * of the namespace but this one, until fn returns nonzero (then returns 1). Returns -1 when /proc cannot be read. */
static int each_stat (int (*fn)(const char *after, void *ctx), void *ctx) {
  DIR *d = opendir("/proc");
  if (!d) return -1;
  struct dirent *e;
  char path[300], buf[1024];
  int stop = 0;
  while (!stop && (e = readdir(d)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9' || strcmp(e->d_name, "1") == 0) continue;
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    int fd = open(path, O_RDONLY);
    if (fd < 0) continue;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) continue;
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
    if (p && p[1] == ' ') stop = fn(p + 2, ctx);
  }
  closedir(d);
  return stop;
}

static int add_cpu (const char *after, void *ctx) {
  unsigned long ut = 0, st = 0;
  /* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
  if (sscanf(after, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2) *(unsigned long *)ctx += ut + st;
  return 0;
}

/* CPU ms of every live process of the namespace but this one (utime + stime from /proc/<pid>/stat). */
static double live_cpu_ms (long hz) {
  unsigned long ticks = 0;
  each_stat(add_cpu, &ticks);
  return ticks * 1000.0 / hz;
}

static int is_runnable (const char *after, void *ctx) {
  (void)ctx;
  return after[0] == 'R';
}

/* Is any process of the namespace (but this one) runnable? A wall limit reached while every process sleeps
 * is the program's own doing (it waits on nothing: stdin is at EOF); while one is runnable, the host was slow. */
static int any_runnable (void) {
  return each_stat(is_runnable, NULL) != 0;
}


static void lim (int res, rlim_t v) {
  struct rlimit r = { v, v };
  setrlimit(res, &r);
}

struct limits { double cpu_ms, wall_ms; rlim_t nproc, fsize, nofile, as, stack; };

struct result {
  int status, exec_errno;
  double cpu_ms, wall_ms;
  long maxrss_kb;
  const char *limit;
};

/* The child's side of a fork: rlimits, umask, cwd, then exec. fds: the child's 0/1/2/4 (-1: keep fd 0-2 as
 * they are / close fd 4; -2 for fd 4: keep it as it is). Writes errno on errfd when exec fails. */
static void child_exec (const struct limits *l, const int fds[4], char **argv, char **envp, int errfd, const sigset_t *mask) {
  sigprocmask(SIG_UNBLOCK, mask, NULL);
  for (int i = 0; i < 3; i++) if (fds[i] >= 0 && dup2(fds[i], i) < 0) _exit(127);
  if (fds[3] >= 0) { if (dup2(fds[3], 4) < 0) _exit(127); }
  else if (fds[3] == -1) close(4);
  umask(022);
  if (chdir("/tmp") != 0) { /* the jail's cwd stays */ }
  lim(RLIMIT_CORE, 0);
  lim(RLIMIT_CPU, (rlim_t)(l->cpu_ms / 1000) + 2);
  lim(RLIMIT_NPROC, l->nproc);
  lim(RLIMIT_FSIZE, l->fsize);
  lim(RLIMIT_NOFILE, l->nofile);
  lim(RLIMIT_MSGQUEUE, 0);
  if (l->stack > 0) lim(RLIMIT_STACK, l->stack);
  if (l->as > 0) lim(RLIMIT_AS, l->as);
  if (envp) execve(argv[0], argv, envp);
  else execv(argv[0], argv);
  int e = errno;
  if (write(errfd, &e, sizeof e) < 0) { /* nothing to do */ }
  _exit(127);
}

/* Output relay of a warm run: the child's pipes (-1 once closed) and what went to the host. */
struct relay {
  int in, out, err, res;
  const char *stdin_buf;
  size_t stdin_len, stdin_off;
  long out_cap, res_cap, out_sent, res_sent;
};

static int write_all (int fd, const void *b, size_t n) {
  const char *p = b;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) { if (errno == EINTR) continue; return -1; }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static void frame (char type, const char *b, uint32_t n) {
  char h[5] = { type, (char)(n & 255), (char)((n >> 8) & 255), (char)((n >> 16) & 255), (char)(n >> 24) };
  if (write_all(1, h, 5) != 0 || write_all(1, b, n) != 0) _exit(3); /* the host is gone */
}

/* Reads what one of the child's pipes holds and relays it; returns 1 when the output cap was passed. */
static int pump (int *fd, char type, struct relay *r) {
  char buf[65536];
  ssize_t n = read(*fd, buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
  if (n <= 0) { close(*fd); *fd = -1; return 0; }
  if (type == 'r') {
    long room = r->res_cap + 1 - r->res_sent;
    if (room > 0) frame('r', buf, (uint32_t)(n < room ? n : room));
    r->res_sent += n;
    return 0;
  }
  long room = r->out_cap - r->out_sent;
  if (room > 0) frame(type, buf, (uint32_t)(n < room ? n : room));
  r->out_sent += n;
  return r->out_sent > r->out_cap;
}

/* Waits up to 5 ms for SIGCHLD (sigfd) while moving stdin and output; returns 1 past the output cap. */
static int relay_step (struct relay *r, int sigfd) {
  struct pollfd p[5];
  int n = 0;
  p[n++] = (struct pollfd){ sigfd, POLLIN, 0 };
  int io = n;
  p[n++] = (struct pollfd){ r->out, POLLIN, 0 };
  p[n++] = (struct pollfd){ r->err, POLLIN, 0 };
  p[n++] = (struct pollfd){ r->res, POLLIN, 0 };
  p[n++] = (struct pollfd){ r->in, POLLOUT, 0 };
  if (poll(p, n, 5) <= 0) return 0;
  if (p[0].revents) { struct signalfd_siginfo si; if (read(sigfd, &si, sizeof si) < 0) { /* drained */ } }
  int over = 0;
  if (r->out >= 0 && p[io].revents) over |= pump(&r->out, 'o', r);
  if (r->err >= 0 && p[io + 1].revents) over |= pump(&r->err, 'e', r);
  if (r->res >= 0 && p[io + 2].revents) pump(&r->res, 'r', r);
  if (r->in >= 0 && p[io + 3].revents) {
    ssize_t w = r->stdin_off < r->stdin_len ? write(r->in, r->stdin_buf + r->stdin_off, r->stdin_len - r->stdin_off) : 0;
    if (w > 0) r->stdin_off += (size_t)w;
    if ((w < 0 && errno != EAGAIN && errno != EINTR) || r->stdin_off >= r->stdin_len || (p[io + 3].revents & (POLLERR | POLLHUP))) { close(r->in); r->in = -1; }
  }
  return over;
}

static void kill_all (void) {
  kill(-1, SIGKILL);
  while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) { }
}

/* Supervises `child` (forked at t0 after RUSAGE_CHILDREN read base_cpu) until it ends or a limit ends it; then
 * kills and reaps every other process of the namespace. With a relay, its pipes are pumped meanwhile. */
static void supervise (pid_t child, const struct limits *l, double t0, double base_cpu, long hz, int sigfd, struct relay *r, struct result *out) {
  int status = 0, done = 0;
  const char *limit = NULL;
  for (;;) {
    pid_t p;
    int st;
    while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
      if (p == child) { status = st; done = 1; }
    }
    if (done) break;
    if (p < 0 && errno == ECHILD) break;
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    double used = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime) - base_cpu + live_cpu_ms(hz);
    if (used > l->cpu_ms) { limit = "cpu"; kill(-1, SIGKILL); }
    else {
      /* Past WALL_MS a run whose processes all sleep is ended (its own doing); one that is runnable but starved
       * of CPU by a loaded host gets up to 5 x WALL_MS before it is ended as the host's fault. */
      double w = now_ms() - t0;
      if (w > 5 * l->wall_ms) { limit = "wall_busy"; kill(-1, SIGKILL); }
      else if (w > l->wall_ms && !any_runnable()) { limit = "wall_idle"; kill(-1, SIGKILL); }
    }
    if (r) { if (relay_step(r, sigfd) && !limit) { limit = "output"; kill(-1, SIGKILL); } }
    else { struct pollfd pf = { sigfd, POLLIN, 0 }; if (poll(&pf, 1, 5) > 0) { struct signalfd_siginfo si; if (read(sigfd, &si, sizeof si) < 0) { /* drained */ } } }
  }
  out->wall_ms = now_ms() - t0;
  kill_all(); /* daemons and stragglers of the run */
  if (r) { /* every writer is gone: what the pipes still hold, then EOF */
    while (r->out >= 0 || r->err >= 0 || r->res >= 0) {
      if (r->out >= 0 && pump(&r->out, 'o', r) && !limit) limit = "output";
      if (r->err >= 0 && pump(&r->err, 'e', r) && !limit) limit = "output";
      if (r->res >= 0) pump(&r->res, 'r', r);
    }
    if (r->in >= 0) { close(r->in); r->in = -1; }
  }
  struct rusage ru;
  getrusage(RUSAGE_CHILDREN, &ru);
  double cpu = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime) - base_cpu;
  if (!limit && (WIFSIGNALED(status) && (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGKILL)) && cpu >= l->cpu_ms) limit = "cpu";
  out->status = status;
  out->cpu_ms = cpu;
  out->maxrss_kb = ru.ru_maxrss;
  out->limit = limit;
}

/* Forks and supervises one program. fds as child_exec's; envp NULL: the runner's own environment. */
static void run_one (const struct limits *l, const int fds[4], char **argv, char **envp, long hz, int sigfd, const sigset_t *mask, struct relay *r, struct result *out) {
  int errpipe[2];
  memset(out, 0, sizeof *out);
  if (pipe2(errpipe, O_CLOEXEC) != 0) _exit(2);
  struct rusage ru;
  getrusage(RUSAGE_CHILDREN, &ru);
  double base_cpu = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
  double t0 = now_ms();
  pid_t child = fork();
  if (child < 0) _exit(2);
  if (child == 0) { close(errpipe[0]); child_exec(l, fds, argv, envp, errpipe[1], mask); }
  close(errpipe[1]);
  for (int i = 0; i < 4; i++) if (fds[i] >= 0) close(fds[i]); /* the child's ends */
  if (read(errpipe[0], &out->exec_errno, sizeof out->exec_errno) != sizeof out->exec_errno) out->exec_errno = 0;
  close(errpipe[0]);
  supervise(child, l, t0, base_cpu, hz, sigfd, r, out);
}

static int report_line (char *b, size_t n, const struct result *x, int clean) {
  char ex[16] = "null", sg[16] = "null", lm[16] = "null";
  if (WIFEXITED(x->status)) snprintf(ex, sizeof ex, "%d", WEXITSTATUS(x->status));
  if (WIFSIGNALED(x->status)) snprintf(sg, sizeof sg, "%d", WTERMSIG(x->status));
  if (x->limit) snprintf(lm, sizeof lm, "\"%s\"", x->limit);
  return snprintf(b, n, "{\"exit\":%s,\"signal\":%s,\"cpu_ms\":%.3f,\"wall_ms\":%.3f,\"limit\":%s,\"maxrss_kb\":%ld,\"exec_errno\":%d,\"clean\":%s}\n",
    ex, sg, x->cpu_ms, x->wall_ms, lm, x->maxrss_kb, x->exec_errno, clean ? "true" : "false");
}

/* ---- warm jail: what a run leaves behind is removed before the next one ---- */

static int count_proc (const char *after, void *ctx) { (void)after; ++*(int *)ctx; return 0; }

/* Removes every entry under the open directory dfd (same uid: a dir the program made unreadable is opened up). */
static void wipe_dir (int dfd) {
  DIR *d = fdopendir(dfd);
  if (!d) { close(dfd); return; }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    if (unlinkat(dirfd(d), e->d_name, 0) == 0) continue;
    fchmodat(dirfd(d), e->d_name, 0700, 0);
    int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub >= 0) wipe_dir(sub);
    unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
  }
  closedir(d);
}

static int dir_empty (const char *path) {
  DIR *d = opendir(path);
  if (!d) return 0;
  struct dirent *e;
  int empty = 1;
  while ((e = readdir(d)) != NULL) if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) empty = 0;
  closedir(d);
  return empty;
}

/* Removes the SysV IPC objects listed in /proc/sysvipc/<kind> (second column: the id); returns how many are left. */
static int wipe_ipc (const char *kind) {
  char path[64], line[512];
  snprintf(path, sizeof path, "/proc/sysvipc/%s", kind);
  int left = 0;
  for (int pass = 0; pass < 2; pass++) {
    FILE *f = fopen(path, "re");
    if (!f) return 0;
    left = 0;
    if (!fgets(line, sizeof line, f)) { fclose(f); return 0; } /* header */
    while (fgets(line, sizeof line, f)) {
      long key;
      int id;
      if (sscanf(line, "%ld %d", &key, &id) != 2) continue;
      left++;
      if (pass == 1) continue;
      if (kind[1] == 'h') shmctl(id, IPC_RMID, NULL);
      else if (kind[1] == 'e') semctl(id, 0, IPC_RMID);
      else msgctl(id, IPC_RMID, NULL);
    }
    fclose(f);
  }
  return left;
}

/* Empties the uid's keyrings of this user namespace (user, user-session, persistent), which outlive processes;
 * returns how many keys are left in them (KEYCTL_READ of a keyring: 4 bytes per key). */
static long wipe_keys (void) {
  long left = 0;
  long persistent = syscall(SYS_keyctl, KEYCTL_GET_PERSISTENT, -1, KEY_SPEC_PROCESS_KEYRING);
  long rings[3] = { KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING, persistent };
  for (int i = 0; i < 3; i++) {
    if (rings[i] == -1) continue;
    syscall(SYS_keyctl, KEYCTL_CLEAR, rings[i]);
    long n = syscall(SYS_keyctl, KEYCTL_READ, rings[i], NULL, 0);
    if (n > 0) left += n / 4;
  }
  return left;
}

/* After a run: no process but this one, no IPC object, no key, /tmp empty with its mode back. 1 when all holds. */
static int scrub (mode_t tmp_mode) {
  int procs = 0;
  for (int i = 0; i < 3; i++) {
    kill_all();
    procs = 0;
    each_stat(count_proc, &procs);
    if (procs == 0) break;
  }
  int ipc = wipe_ipc("shm") + wipe_ipc("sem") + wipe_ipc("msg") + (int)wipe_keys();
  chmod("/tmp", 0700);
  int t = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (t >= 0) wipe_dir(t);
  chmod("/tmp", tmp_mode);
  struct stat st;
  int tmp_ok = dir_empty("/tmp") && stat("/tmp", &st) == 0 && (st.st_mode & 07777) == tmp_mode;
  return procs == 0 && ipc == 0 && tmp_ok;
}

/* Reads exactly n bytes of fd 0; 0 on EOF or error. */
static int read_exact (char *b, size_t n) {
  while (n > 0) {
    ssize_t r = read(0, b, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return 0;
    b += r;
    n -= (size_t)r;
  }
  return 1;
}

/* Splits `count` NUL-terminated strings off *p (bounded by end) into a NULL-terminated vector. */
static char **strings (char **p, char *end, long count) {
  char **v = calloc((size_t)count + 1, sizeof *v);
  if (!v) return NULL;
  for (long i = 0; i < count; i++) {
    char *z = memchr(*p, 0, (size_t)(end - *p));
    if (!z) { free(v); return NULL; }
    v[i] = *p;
    *p = z + 1;
  }
  return v;
}

static int serve (long hz, int sigfd, const sigset_t *mask) {
  struct stat st;
  if (stat("/tmp", &st) != 0) return 2;
  mode_t tmp_mode = st.st_mode & 07777;
  char head[512];
  for (;;) {
    size_t n = 0;
    for (;;) { /* the header line */
      if (n + 1 >= sizeof head || !read_exact(head + n, 1)) return 0;
      if (head[n++] == '\n') break;
    }
    head[n] = 0;
    struct limits l;
    long out_cap, res_cap, argc, envc, strbytes, stdin_len;
    unsigned long long nproc, fsize, nofile, as, stack;
    if (sscanf(head, "%lf %lf %llu %llu %llu %llu %llu %ld %ld %ld %ld %ld %ld", &l.cpu_ms, &l.wall_ms, &nproc, &fsize, &nofile, &as, &stack,
      &out_cap, &res_cap, &argc, &envc, &strbytes, &stdin_len) != 13 || argc < 1 || argc > 4096 || envc < 0 || envc > 4096 ||
      strbytes < 0 || strbytes > (1 << 20) || stdin_len < 0 || stdin_len > (1L << 30)) return 2;
    l.nproc = nproc; l.fsize = fsize; l.nofile = nofile; l.as = as; l.stack = stack;
    char *buf = malloc((size_t)(strbytes + stdin_len) + 1);
    if (!buf || !read_exact(buf, (size_t)(strbytes + stdin_len))) return 2;
    char *p = buf, *end = buf + strbytes;
    char **argv = strings(&p, end, argc), **envp = strings(&p, end, envc);
    if (!argv || !envp) return 2;
    int in[2], o[2], e[2], rs[2] = { -1, -1 };
    if (pipe2(in, O_CLOEXEC) || pipe2(o, O_CLOEXEC) || pipe2(e, O_CLOEXEC) || (res_cap >= 0 && pipe2(rs, O_CLOEXEC))) return 2;
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    struct relay r = { in[1], o[0], e[0], rs[0], end, (size_t)stdin_len, 0, out_cap, res_cap, 0, 0 };
    int fds[4] = { in[0], o[1], e[1], rs[1] };
    struct result x;
    run_one(&l, fds, argv, envp, hz, sigfd, mask, &r, &x);
    free(argv); free(envp); free(buf);
    int clean = scrub(tmp_mode);
    char line[512];
    int len = report_line(line, sizeof line, &x, clean);
    frame('R', line, (uint32_t)len);
    if (!clean) return 0;
  }
}

int main (int argc, char **argv) {
  int serving = argc == 2 && strcmp(argv[1], "--serve") == 0;
  if (!serving && (argc < 10 || strcmp(argv[8], "--") != 0)) {
    fprintf(stderr, "usage: runner CPU_MS WALL_MS NPROC FSIZE NOFILE AS STACK -- PROGRAM ARGS... | runner --serve\n");
    return 2;
  }
  /* kill(-1) below must only ever reach the jail's own processes: refuse to run outside a pid namespace. */
  if (getpid() != 1) {
    fprintf(stderr, "runner: not pid 1 of a pid namespace; refusing to run\n");
    return 2;
  }
  long hz = sysconf(_SC_CLK_TCK);
  prctl(PR_SET_DUMPABLE, 0);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  /* whatever else bwrap handed down never reaches a program (one-shot: fd 4 is the call tests' result pipe) */
  close_range(serving ? 3 : 5, ~0U, CLOSE_RANGE_CLOEXEC);
  int sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sigfd < 0) return 2;
  if (serving) {
    /* fds 0-4 taken (3, 4 by /dev/null when the host passed none), all CLOEXEC: every pipe of a run is above them */
    for (int fd = 3; fd <= 4; fd++) if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDONLY) != fd) return 2;
    for (int fd = 0; fd <= 4; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
    return serve(hz, sigfd, &chld);
  }
  struct limits l = { atof(argv[1]), atof(argv[2]), strtoull(argv[3], 0, 10), strtoull(argv[4], 0, 10), strtoull(argv[5], 0, 10),
    strtoull(argv[6], 0, 10), strtoull(argv[7], 0, 10) };
  FILE *report = fdopen(3, "w");
  if (!report) return 2;
  fcntl(3, F_SETFD, FD_CLOEXEC);
  int fds[4] = { -1, -1, -1, -2 };
  struct result x;
  run_one(&l, fds, argv + 9, NULL, hz, sigfd, &chld, NULL, &x);
  char line[512];
  report_line(line, sizeof line, &x, 1);
  fputs(line, report);
  fclose(report);
  return 0;
}
