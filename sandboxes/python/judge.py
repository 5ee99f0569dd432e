# judge.py: one process per job, forked by the jail's server before the job arrives. It reads the job from
# fd 0, forks the candidate process(es), watches their time, memory and output, and writes one result line
# on fd 1. For script tests it forks the candidate *before* reading the test source (fd 3), then runs the
# test here, reaching the solution only through copies of plain data.
#   in:  fd 0 one job line {id, form, code, function?, cases?, stdins?, limits}; fd 3 {id, script} (script form)
#   out: fd 1 {"type": "result", "id", "results": [{verdict fields}], "test_error"?}
import os
import sys
import signal
import resource
import selectors
import time
import importlib

EOF_EXIT = 3
PURE_MODULES = frozenset((
    'math', 'cmath', 'typing', 'collections', 'itertools', 'functools', 'heapq', 'bisect', 'string', 're',
    'operator', 'fractions', 'decimal', 'statistics', 'random', 'copy', 'json', 'datetime', 'numbers',
    'array', 'enum', 'dataclasses', 'hashlib', 'textwrap', 'unicodedata', 'collections.abc', 'sys', 'time'))


class Stop(BaseException):
    """Ends the test run with a verdict; BaseException so a test's `except Exception` cannot swallow it."""

    def __init__(self, verdict, error=''):
        BaseException.__init__(self, verdict)
        self.verdict = verdict
        self.error = error


def read_line(fd):
    buf = b''
    while not buf.endswith(b'\n'):
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return None
        buf += chunk
    return buf


class Child:
    """A forked candidate process: its result pipe, its stdout/stderr (capped), an optional stdin feed."""

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
        pid = os.fork()
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
        self.res_buf = b''
        self.res_eof = False
        self.status = None
        self.killed_for = None
        self.keep_stdout = job['form'] == 'stdio'

    def next_line(self, deadline):
        """Next line from the result pipe, draining output meanwhile; None at EOF (the process is done)."""
        while True:
            if b'\n' in self.res_buf:
                line, self.res_buf = self.res_buf.split(b'\n', 1)
                return line
            if self.res_eof:
                return None
            self.pump(deadline)

    def pump(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            self.kill('timeout')
            self.res_eof = True
            return
        for key, ev in self.sel.select(left):
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
        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass

    def finish(self, deadline):
        """Drain what is left, reap the process, return its fate as a verdict-ish word or None for a clean exit."""
        while self.sel.get_map() and self.killed_for is None:
            self.pump(deadline)
        if self.killed_for is None:
            end = deadline
            while True:
                pid, st, ru = os.wait4(self.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > end:
                    self.kill('timeout')
                time.sleep(0.001)
        else:
            pid, st, ru = os.wait4(self.pid, 0)
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


def fate_verdict(fate, during):
    """Turn how a candidate process ended during a test into (verdict, error)."""
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
