# judge.py: one process per job, forked by the jail's first process before the job arrives. It runs as the
# judge's uid (JUDGE): the solution's processes (SOLUTION) can neither signal, ptrace, prlimit nor read it.
# It reads the job from the service's pipe (fd 3, length-prefixed frames, never held by the solution), forks
# the candidate process(es), watches their CPU time (the jail's cgroup, /cg), memory and output, and sends
# its frames to the jail's first process (OUT_FD), which forwards them to the service. Its own stdout and
# stderr are /dev/null: a test's prints never reach any channel. For script tests it forks the candidate
# *before* reading the test source, then runs the test here, reaching the solution only through copies of
# plain data. Everything read from a candidate is data, checked against a closed set of shapes.
#   in:  fd 3 frame {id, form, code, function?, cases?, stdins?, limits}, then {script} (script form)
#   out: OUT_FD frames {"type": "case", ...} per case, then {"type": "result", "id", "host_slow"?, "test_error"?}
import ast
import os
import sys
import signal
import resource
import selectors
import struct
import time
import importlib

EOF_EXIT = 3
IN_FD = 3
OUT_FD = 5
POLL_S = 0.01
MAX_FRAME = 64 << 20
PURE_MODULES = frozenset((
    'math', 'cmath', 'typing', 'collections', 'itertools', 'functools', 'heapq', 'bisect', 'string', 're',
    'operator', 'fractions', 'decimal', 'statistics', 'random', 'copy', 'json', 'datetime', 'numbers',
    'array', 'enum', 'dataclasses', 'hashlib', 'textwrap', 'unicodedata', 'collections.abc', 'sys', 'time'))
CASE_VERDICTS = frozenset(('ok', 'runtime_error'))
LOAD_VERDICTS = frozenset(('compile_error', 'runtime_error'))


class Stop(BaseException):
    """Ends the test run with a verdict; BaseException so a test's `except Exception` cannot swallow it."""

    def __init__(self, verdict, error=''):
        BaseException.__init__(self, verdict)
        self.verdict = verdict
        self.error = error


class Protocol(Exception):
    """A candidate sent something outside the closed set of messages: a runtime_error of that test."""


def read_exact(fd, n):
    parts = []
    while n > 0:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        n -= len(chunk)
    return b''.join(parts)


def read_frame(fd):
    head = read_exact(fd, 4)
    if head is None:
        return None
    n = struct.unpack('>I', head)[0]
    if n > MAX_FRAME:
        raise SystemExit('frame too large')
    body = read_exact(fd, n)
    return None if body is None else json.loads(body)


def send_frame(fd, obj):
    data = dumps(obj).encode('utf-8', 'surrogatepass')
    write_all(fd, struct.pack('>I', len(data)))
    write_all(fd, data)


def clip(s, n=2000):
    return s[:n] if type(s) is str else ''


# --- CPU time of the solution: the jail's cgroup counts every process of the jail, dead ones included; the
# solution's share is that minus the judge's and pid 1's own (the only other processes: bwrap only waits).
# Reading a counter is cheap; moving each candidate into a cgroup of its own would cost an RCU grace period.

def cg_cpu_ms():
    try:
        with open('/cg/cpuacct.usage', 'rb') as fh:
            return int(fh.read()) / 1e6
    except FileNotFoundError:
        pass
    with open('/cg/cpu.stat', 'rb') as fh:
        for line in fh.read().split(b'\n'):
            if line.startswith(b'usage_usec '):
                return int(line.split()[1]) / 1000
    raise OSError('no cpu usage in /cg')


CLK_TCK = os.sysconf('SC_CLK_TCK')


def run_ms(pid):
    """CPU time (ms, ns resolution) a live process has run: /proc/<pid>/schedstat's first field."""
    try:
        with open('/proc/%s/schedstat' % pid, 'rb') as fh:
            return int(fh.read().split()[0]) / 1e6
    except (OSError, ValueError, IndexError):
        return 0.0


def proc_solution_ms():
    """Without a cgroup (CFG['cpu'] == 'proc', a non-root service without a delegated cgroup subtree): every
    process of the jail is in this pid namespace's /proc and descends from pid 1, so the CPU of a dead process
    is in its reaping ancestor's cutime/cstime. The solution's share: the own time of every process but this
    judge and pid 1, plus what every process reaped (this judge: its candidates; pid 1: orphans, and the
    earlier judges, a constant during a job). Clock ticks; a zombie being reaped may count once or twice."""
    ticks = 0
    me = str(os.getpid())
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % name, 'rb') as fh:
                f = fh.read().rsplit(b')', 1)[1].split()
        except (OSError, IndexError):
            continue
        ticks += int(f[13]) + int(f[14])
        if name != me and name != '1':
            ticks += int(f[11]) + int(f[12])
    return ticks * 1000 / CLK_TCK


def solution_cpu_ms():
    if CFG.get('cpu') == 'proc':
        return proc_solution_ms()
    return cg_cpu_ms() - run_ms('self') - run_ms(1)


def solution_pids():
    """Live pids of the solution uid in the jail (the jail's pid namespace holds nothing else of it)."""
    out = []
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            with open('/proc/%s/status' % name, 'rb') as fh:
                status = fh.read()
            state = status.split(b'\nState:', 1)[1].split()[0]
            uid = int(status.split(b'\nUid:', 1)[1].split()[0])
            if uid == SOLUTION_ID and state not in (b'Z', b'X'):  # the dead only wait to be reaped
                out.append(int(name))
        except (OSError, ValueError, IndexError):
            pass
    return out


def cg_kill_all():
    for _ in range(50):
        pids = solution_pids()
        if not pids:
            return
        for p in pids:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.001)


def cg_wait_ms():
    """Run-queue wait (ms) of the solution's live processes: time they were runnable but got no CPU."""
    total = 0
    for p in solution_pids():
        try:
            with open('/proc/%d/schedstat' % p, 'rb') as fh:
                total += int(fh.read().split()[1])
        except (OSError, ValueError, IndexError):
            pass
    return total / 1e6


def fork_retrying():
    """fork, and when the process table is full (the solution's processes, being killed), kill and retry."""
    for _ in range(50):
        try:
            return os.fork()
        except BlockingIOError:
            cg_kill_all()
            time.sleep(0.01)
    raise HostFault('host_fault')


class Child:
    """A forked candidate process: its result pipe, its stdout/stderr (capped), an optional stdin feed,
    and its CPU budget, read from the jail's cgroup (a solution that ignores every signal still dies)."""

    def __init__(self, job, target, stdin_data=None, requests=False):
        lim = job['limits']
        self.lim = lim
        res_r, res_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        in_r, in_w = os.pipe()
        req_r, req_w = os.pipe() if requests else (None, None)
        ncases = max(1, len(job.get('cases') or [])) if job['form'] == 'call' else 1
        cpu_s = int(lim['time_ms'] * ncases / 1000) + 1
        cg_kill_all()  # nothing of an earlier candidate of this job runs on
        pid = fork_retrying()
        if pid == 0:
            try:
                keep = [res_w] + ([req_r] if requests else [])
                prepare_child(in_r, out_w, err_w, keep, lim, cpu_s)
                target()
            except MemoryError:
                os._exit(MEM_EXIT)
            except BaseException:
                os._exit(LOAD_FAIL_EXIT)
            os._exit(0)
        for fd in (res_w, out_w, err_w, in_r) + ((req_r,) if requests else ()):
            os.close(fd)
        self.pid = pid
        self.req_w = req_w
        self.res_fd = res_r
        self.sel = selectors.DefaultSelector()
        for fd in (res_r, out_r, err_r):
            os.set_blocking(fd, False)
            self.sel.register(fd, selectors.EVENT_READ)
        self.out_fd, self.err_fd = out_r, err_r
        self.stdin = memoryview(stdin_data.encode('utf-8', 'surrogatepass')) if stdin_data else None
        self.in_fd = in_w
        if self.stdin is not None:
            os.set_blocking(in_w, False)
            self.sel.register(in_w, selectors.EVENT_WRITE)
        else:
            os.close(in_w)
            self.in_fd = None
        self.out = bytearray()
        self.err_tail = b''
        self.out_total = 0
        self.res_buf = bytearray()
        self.res_scan = 0
        self.res_eof = False
        self.status = None
        self.killed_for = None
        self.keep_stdout = job['form'] == 'stdio'
        self.cpu_ms = 0.0
        self.new_window()

    def new_window(self):
        """Start a CPU budget of time_ms (a call case, a stdio run, a whole script)."""
        self.cpu_base = solution_cpu_ms()
        self.wait_base = cg_wait_ms()
        self.window_t0 = time.monotonic()

    def cpu_used(self):
        return solution_cpu_ms() - self.cpu_base

    def next_line(self, deadline):
        """Next line from the result pipe, draining output meanwhile; None at EOF (the process is done)."""
        while True:
            nl = self.res_buf.find(b'\n', self.res_scan)
            if nl >= 0:
                line = bytes(self.res_buf[:nl])
                del self.res_buf[:nl + 1]
                self.res_scan = 0
                return line
            self.res_scan = len(self.res_buf)
            if self.res_eof:
                return None
            self.pump(deadline)

    def over_wall(self):
        """The wall limit passed: the solution's CPU time decides. Its full time_ms of CPU, or a wall spent
        not waiting for a CPU (sleeping, blocked, stopped: its own doing), is a timeout; a solution that was
        runnable most of that time but got less than time_ms of CPU was starved by the host."""
        cpu = self.cpu_used()
        if cpu >= self.lim['time_ms']:
            return 'timeout'
        wall = (time.monotonic() - self.window_t0) * 1000
        waited = cg_wait_ms() - self.wait_base
        return 'host_slow' if waited >= (wall - cpu) / 2 else 'timeout'

    def past_wall(self, deadline):
        """After the wall limit: kill with the verdict of over_wall, except while a starved solution is still
        inside its grace (2 more wall limits), where CPU time keeps deciding. True when it was killed."""
        verdict = self.over_wall()
        if verdict == 'host_slow' and time.monotonic() < deadline + 2 * wall_ms(self.lim) / 1000:
            return False
        self.kill(verdict)
        return True

    def pump(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0 and self.past_wall(deadline):
            self.res_eof = True
            return
        events = self.sel.select(min(left, POLL_S) if left > 0 else POLL_S)
        if self.cpu_used() > self.lim['time_ms']:
            self.kill('timeout')
            self.res_eof = True
            return
        for key, ev in events:
            fd = key.fd
            if ev & selectors.EVENT_WRITE:
                try:
                    n = os.write(fd, self.stdin[:65536])
                    self.stdin = self.stdin[n:]
                except OSError:
                    self.stdin = memoryview(b'')
                if not self.stdin:
                    self.sel.unregister(fd)
                    os.close(fd)
                    self.in_fd = None
                continue
            try:
                data = os.read(fd, 1 << 16)
            except OSError:
                data = b''
            if not data:
                self.sel.unregister(fd)
                os.close(fd)
                if fd == self.res_fd:
                    self.res_eof = True
                continue
            if fd == self.res_fd:
                self.res_buf += data
                if len(self.res_buf) > self.lim['output_bytes'] + 4096:
                    self.kill('output_limit')
                    self.res_eof = True
                continue
            self.out_total += len(data)
            if fd == self.out_fd and self.keep_stdout:
                self.out += data
            elif fd == self.err_fd:
                self.err_tail = (self.err_tail + data)[-2000:]
            if self.out_total > self.lim['output_bytes']:
                self.kill('output_limit')
                self.res_eof = True

    def kill(self, why):
        if self.killed_for is None:
            self.killed_for = why
        cg_kill_all()

    def finish(self, deadline):
        """Drain what is left, reap the process, return its fate as a verdict-ish word or None for a clean exit."""
        while self.sel.get_map() and self.killed_for is None:
            self.pump(deadline)
        if self.killed_for is None:
            while True:
                pid, st, ru = os.wait4(self.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > deadline:
                    self.past_wall(deadline)
                elif self.cpu_used() > self.lim['time_ms']:
                    self.kill('timeout')
                time.sleep(0.001)
        else:
            pid, st, ru = os.wait4(self.pid, 0)
        cg_kill_all()  # daemons the solution left behind
        self.close()
        self.status = st
        self.cpu_ms = round((ru.ru_utime + ru.ru_stime) * 1000, 1)
        return self.fate(st, ru)

    def fate(self, st, ru):
        if self.killed_for:
            return self.killed_for
        if os.WIFSIGNALED(st):
            sig = os.WTERMSIG(st)
            if sig in (signal.SIGPROF, signal.SIGXCPU):
                return 'timeout'
            if sig == signal.SIGKILL and ru.ru_utime + ru.ru_stime >= self.lim['time_ms'] / 1000:
                return 'timeout'
            return 'signal:' + signal.Signals(sig).name
        code = os.WEXITSTATUS(st)
        if code == MEM_EXIT:
            return 'memory_limit'
        if code == LOAD_FAIL_EXIT:
            return 'load_failed'
        if code == SETUP_FAIL_EXIT:
            return 'host_fault'
        return None if code == 0 else 'exit:' + str(code)

    def close(self):
        for fd in list(self.sel.get_map()):
            self.sel.unregister(fd)
            try:
                os.close(fd)
            except OSError:
                pass
        for fd in (self.in_fd, self.req_w):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.in_fd = self.req_w = None


class HostFault(BaseException):
    """The jail could not do its part (host too slow, a candidate could not be set up): status error."""


def fate_verdict(fate, during):
    """Turn how a candidate process ended during a test into (verdict, error)."""
    if fate in ('host_slow', 'host_fault'):
        raise HostFault(fate)
    if fate in ('timeout', 'memory_limit', 'output_limit'):
        return fate, ''
    if fate is None:
        return 'runtime_error', 'the solution exited ' + during
    if fate.startswith('signal:'):
        return 'runtime_error', 'the solution was killed by ' + fate[7:] + ' ' + during
    if fate.startswith('exit:'):
        return 'runtime_error', 'the solution exited with code ' + fate[5:] + ' ' + during
    return 'runtime_error', 'the solution stopped ' + during


def wall_ms(lim):
    return lim['time_ms'] * lim['wall_factor'] + lim['wall_extra_ms']


def reply_budget(lim):
    """Bytes of returned values / kept stdout one job may send back (beyond it: output_limit)."""
    return 2 * lim['output_bytes']
