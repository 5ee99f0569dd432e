/*
 * runner: the supervisor inside every native jail (compile, run, checker). bwrap starts it as pid 1 of the
 * jail's pid namespace (--as-pid-1), as the slot's unprivileged uid. Signals from inside the namespace do not
 * reach it (pid 1 without handlers), it is not dumpable (no ptrace, no /proc/1/fd), and the child it starts
 * never holds its report pipe.
 *
 *   runner CPU_MS WALL_MS NPROC FSIZE NOFILE AS_BYTES STACK_BYTES -- PROGRAM ARGS...
 *
 * The child gets the rlimits (RLIMIT_CPU = CPU_MS rounded up + 1 s as a hard backstop; AS_BYTES 0 = no
 * RLIMIT_AS, the cgroup caps memory) and execs PROGRAM with the jail's stdin/stdout/stderr. The runner sums
 * the CPU time of every process of the namespace (reaped ones through RUSAGE_CHILDREN, live ones through
 * /proc/<pid>/stat) every few ms and kills them all past CPU_MS, or past WALL_MS when none of them is
 * runnable (wall_idle), or past 5 x WALL_MS in any case (wall_busy: the host starved the run). When the main child ends, every
 * other process of the namespace is killed too (no daemon outlives a run). One JSON line goes to fd 3:
 *   {"exit":N|null,"signal":N|null,"cpu_ms":F,"wall_ms":F,"limit":"cpu"|"wall_idle"|"wall_busy"|null,"maxrss_kb":N,"exec_errno":N}
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
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

int main (int argc, char **argv) {
  if (argc < 10 || strcmp(argv[8], "--") != 0) {
    fprintf(stderr, "usage: runner CPU_MS WALL_MS NPROC FSIZE NOFILE AS STACK -- PROGRAM ARGS...\n");
    return 2;
  }
  double cpu_ms = atof(argv[1]), wall_ms = atof(argv[2]);
  rlim_t nproc = strtoull(argv[3], 0, 10), fsize = strtoull(argv[4], 0, 10), nofile = strtoull(argv[5], 0, 10);
  rlim_t as = strtoull(argv[6], 0, 10), stack = strtoull(argv[7], 0, 10);
  /* kill(-1) below must only ever reach the jail's own processes: refuse to run outside a pid namespace. */
  if (getpid() != 1) {
    fprintf(stderr, "runner: not pid 1 of a pid namespace; refusing to run\n");
    return 2;
  }
  long hz = sysconf(_SC_CLK_TCK);
  FILE *report = fdopen(3, "w");
  if (!report) return 2;
  fcntl(3, F_SETFD, FD_CLOEXEC);
  prctl(PR_SET_DUMPABLE, 0);

  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);

  int errpipe[2];
  if (pipe2(errpipe, O_CLOEXEC) != 0) return 2;
  double t0 = now_ms();
  pid_t child = fork();
  if (child < 0) return 2;
  if (child == 0) {
    sigprocmask(SIG_UNBLOCK, &chld, NULL);
    close(errpipe[0]);
    lim(RLIMIT_CORE, 0);
    lim(RLIMIT_CPU, (rlim_t)(cpu_ms / 1000) + 2);
    lim(RLIMIT_NPROC, nproc);
    lim(RLIMIT_FSIZE, fsize);
    lim(RLIMIT_NOFILE, nofile);
    if (stack > 0) lim(RLIMIT_STACK, stack);
    if (as > 0) lim(RLIMIT_AS, as);
    execv(argv[9], argv + 9);
    int e = errno;
    if (write(errpipe[1], &e, sizeof e) < 0) { /* nothing to do */ }
    _exit(127);
  }
  close(errpipe[1]);
  int exec_errno = 0;
  if (read(errpipe[0], &exec_errno, sizeof exec_errno) != sizeof exec_errno) exec_errno = 0;
  close(errpipe[0]);

  int status = 0, done = 0;
  const char *limit = NULL;
  struct timespec tick = { 0, 5 * 1000 * 1000 };
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
    double used = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime) + live_cpu_ms(hz);
    if (used > cpu_ms) { limit = "cpu"; kill(-1, SIGKILL); }
    else {
      /* Past WALL_MS a run whose processes all sleep is ended (its own doing); one that is runnable but starved
       * of CPU by a loaded host gets up to 5 x WALL_MS before it is ended as the host's fault. */
      double w = now_ms() - t0;
      if (w > 5 * wall_ms) { limit = "wall_busy"; kill(-1, SIGKILL); }
      else if (w > wall_ms && !any_runnable()) { limit = "wall_idle"; kill(-1, SIGKILL); }
    }
    sigtimedwait(&chld, NULL, &tick);
  }
  double wall = now_ms() - t0;
  kill(-1, SIGKILL); /* daemons and stragglers of the run */
  while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) { }
  struct rusage ru;
  getrusage(RUSAGE_CHILDREN, &ru);
  double cpu = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
  if (!limit && (WIFSIGNALED(status) && (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGKILL)) && cpu >= cpu_ms) limit = "cpu";
  char ex[16] = "null", sg[16] = "null", lm[16] = "null";
  if (WIFEXITED(status)) snprintf(ex, sizeof ex, "%d", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) snprintf(sg, sizeof sg, "%d", WTERMSIG(status));
  if (limit) snprintf(lm, sizeof lm, "\"%s\"", limit);
  fprintf(report, "{\"exit\":%s,\"signal\":%s,\"cpu_ms\":%.3f,\"wall_ms\":%.3f,\"limit\":%s,\"maxrss_kb\":%ld,\"exec_errno\":%d}\n",
    ex, sg, cpu, wall, lm, ru.ru_maxrss, exec_errno);
  fclose(report);
  return 0;
}
