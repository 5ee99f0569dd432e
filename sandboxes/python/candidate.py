# candidate.py: the process that runs the solution. It is forked by the judge before the judge reads any
# test source, and it is never told an expected value, so nothing it can read or forge earns a pass. Before
# any solution code it drops to the solution's uid (become_solution): from then on it cannot signal, ptrace,
# prlimit or read the judge or the jail's first process, and it holds no fd but its own pipes to the judge.
#   in:  the job (code, call arguments or stdin), a result/request pipe on fd 3 (and fd 4 for replies)
#   out: one JSON line per call case on fd 3 (call form), or replies to the judge's requests (script form)
import os
import sys
import signal
import resource
import builtins
import time
import fcntl
import json
import ctypes

MEM_EXIT = 86
LOAD_FAIL_EXIT = 87
SETUP_FAIL_EXIT = 88


def write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def send(fd, obj):
    write_all(fd, (dumps(obj) + '\n').encode('utf-8', 'surrogatepass'))


SOLUTION_ID = 1000  # the solution's uid and gid inside the jail's user namespace (sandboxes/jail/launch.py)
KEYCTL_NR = {'x86_64': 250, 'aarch64': 219}
CFG = {'nproc': 64}
# (audit arch, rt_sigaction's number) per machine, for keep_children_accounted
SECCOMP_ARCH = {'x86_64': (0xc000003e, 13), 'aarch64': (0xc00000b7, 134)}


def keep_children_accounted(libc):
    """Without a cgroup (CFG['cpu'] == 'proc') the CPU of a dead process is counted only once its parent
    reaped it with wait(); a parent that ignores SIGCHLD (SIG_IGN or SA_NOCLDWAIT) has its children reaped by
    the kernel, their CPU counted nowhere. A seccomp filter (built once by pid 1: seccomp_program) refuses
    (EPERM) every rt_sigaction that changes SIGCHLD, and every system call of another ABI (x32, i386), where
    the same call has another number."""
    prog = CFG.get('seccomp')
    if prog is None or libc.prctl(22, 2, ctypes.byref(prog), 0, 0) != 0:  # PR_SET_SECCOMP, MODE_FILTER
        os._exit(SETUP_FAIL_EXIT)


def seccomp_program():
    """The filter of keep_children_accounted for this machine, or None (another machine: no solution runs)."""
    arch, nr = SECCOMP_ARCH.get(os.uname().machine, (None, None))
    if arch is None:
        return None
    ld, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_JMP|JGE|K, BPF_RET|K
    allow, deny = 0x7fff0000, 0x00050000 | 1  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EPERM
    # seccomp_data: nr at 0, arch at 4, args[0] at 16, args[1] (the new action: NULL only queries) at 24/28
    prog = [(ld, 0, 0, 4), (jeq, 0, 10, arch), (ld, 0, 0, 0), (jge, 8, 0, 0x40000000), (jeq, 0, 6, nr),
            (ld, 0, 0, 16), (jeq, 0, 4, signal.SIGCHLD), (ld, 0, 0, 24), (jeq, 0, 3, 0), (ld, 0, 0, 28),
            (jeq, 0, 1, 0), (ret, 0, 0, allow), (ret, 0, 0, deny)]
    insns = (SockFilter * len(prog))(*[SockFilter(*i) for i in prog])
    return SockFprog(len(prog), insns)


class SockFilter(ctypes.Structure):
    _fields_ = [('code', ctypes.c_ushort), ('jt', ctypes.c_ubyte), ('jf', ctypes.c_ubyte), ('k', ctypes.c_uint)]


class SockFprog(ctypes.Structure):
    _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.POINTER(SockFilter))]


def become_solution(lim, cpu_s):
    """In a forked child, still JUDGE: set limits, drop to SOLUTION for good."""
    try:
        with open('/proc/self/oom_score_adj', 'w') as fh:
            fh.write('1000')  # the memory cgroup's OOM killer takes the solution, never the judge
    except OSError:
        pass
    setl = resource.setrlimit
    try:
        setl(resource.RLIMIT_CORE, (0, 0))
        setl(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
        setl(resource.RLIMIT_FSIZE, (lim['fsize_bytes'], lim['fsize_bytes']))
        setl(resource.RLIMIT_NOFILE, (lim['nofile'], lim['nofile']))
        setl(resource.RLIMIT_NPROC, (CFG['nproc'], CFG['nproc']))
        setl(resource.RLIMIT_AS, (lim['memory_mb'] << 20, lim['memory_mb'] << 20))
    except (OSError, ValueError):
        os._exit(SETUP_FAIL_EXIT)  # a hard limit of the service's below the job's: the host's fault, never a 0
    os.setgroups([])
    os.setresgid(SOLUTION_ID, SOLUTION_ID, SOLUTION_ID)
    os.setresuid(SOLUTION_ID, SOLUTION_ID, SOLUTION_ID)
    if os.getuid() != SOLUTION_ID or os.geteuid() != SOLUTION_ID:
        os._exit(SETUP_FAIL_EXIT)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
    nr = KEYCTL_NR.get(os.uname().machine)
    if nr is not None:
        # keys an earlier job stored under this uid are gone: a new session keyring, user keyrings emptied
        libc.syscall(nr, 1, None)  # KEYCTL_JOIN_SESSION_KEYRING (anonymous)
        for ring in (-4, -5):  # KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING
            libc.syscall(nr, 7, ring)  # KEYCTL_CLEAR
        pid = libc.syscall(nr, 22, -1, -3)  # KEYCTL_GET_PERSISTENT, linked into the new session keyring
        if pid > 0:
            libc.syscall(nr, 7, pid)
    if CFG.get('cpu') == 'proc':
        keep_children_accounted(libc)


def prepare_child(stdin_fd, stdout_fd, stderr_fd, keep, lim, cpu_s):
    """In the forked child, before any solution code: fds 0-2 and 3.. (keep), everything else closed
    (the judge's and the service's channels included), limits, then the solution's uid."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 200 + i) for i, fd in enumerate([stdin_fd, stdout_fd, stderr_fd] + keep)]
    for i, fd in enumerate(high):
        os.dup2(fd, i)
    os.closerange(3 + len(keep), 1 << 16)
    become_solution(lim, cpu_s)
    sys.stdin = open(0, 'r', closefd=False, errors='replace')
    sys.stdout = open(1, 'w', closefd=False, errors='replace')
    sys.stderr = open(2, 'w', closefd=False, errors='replace', buffering=1)
    os.chdir('/tmp')


def describe(e):
    try:
        msg = str(e)
    except BaseException:
        msg = '?'
    return (type(e).__name__ + ': ' + msg)[:2000]


def load_solution(code, name):
    """Compile and run the solution's top level. Returns its globals, or exits with a report on fd 3."""
    try:
        obj = compile(code, '<solution>', 'exec')
    except (SyntaxError, ValueError) as e:
        send(3, {'fail': 'compile_error', 'error': describe(e)})
        os._exit(LOAD_FAIL_EXIT)
    except MemoryError:
        os._exit(MEM_EXIT)
    g = {'__name__': name, '__builtins__': builtins}
    try:
        exec(obj, g)
    except MemoryError:
        os._exit(MEM_EXIT)
    except BaseException as e:
        flush_std()
        send(3, {'fail': 'runtime_error', 'error': 'while loading the solution: ' + describe(e)})
        os._exit(LOAD_FAIL_EXIT)
    return g


def flush_std():
    for f in (sys.stdout, sys.stderr):
        try:
            f.flush()
        except BaseException:
            pass


def resolve(g, function):
    if '.' in function:
        cls_name, meth = function.split('.', 1)
        return getattr(g[cls_name](), meth)
    return g[function]


def run_calls(job, start):
    """Call form: run cases start.. in order, one result line each; the judge compares nothing."""
    lim = job['limits']
    g = load_solution(job['code'], 'solution')
    codec = Codec()
    try:
        fn = resolve(g, job['function'])
    except BaseException as e:
        send(3, {'fail': 'runtime_error', 'error': 'function not found: ' + describe(e)})
        os._exit(LOAD_FAIL_EXIT)
    cases = job['cases']
    for i in range(start, len(cases)):
        args = [decode_value(a) for a in cases[i]]
        t0 = time.process_time()
        signal.setitimer(signal.ITIMER_PROF, lim['time_ms'] / 1000)
        try:
            value = fn(*args)
            signal.setitimer(signal.ITIMER_PROF, 0)
            out = {'i': i, 'v': 'ok', 'value': codec.encode(value)}
        except MemoryError:
            os._exit(MEM_EXIT)
        except BaseException as e:
            signal.setitimer(signal.ITIMER_PROF, 0)
            out = {'i': i, 'v': 'runtime_error', 'error': describe(e)}
        out['ms'] = round((time.process_time() - t0) * 1000, 3)
        flush_std()
        send(3, out)
    os._exit(0)


def run_stdio(job):
    """Stdio form: the solution runs as __main__ with the case's stdin on fd 0."""
    lim = job['limits']
    signal.setitimer(signal.ITIMER_PROF, lim['time_ms'] / 1000)
    load_solution(job['code'], '__main__')
    flush_std()
    os._exit(0)


class Server:
    """Script form: answers the judge's calls into the solution's namespace (fd 4 requests, fd 3 replies)."""

    def __init__(self, g):
        self.g = g
        self.handles = {}
        self.codec = Codec(self.make_handle)

    def make_handle(self, v):
        hid = len(self.handles) + 1
        self.handles[hid] = v
        try:
            truth = bool(v)
        except BaseException:
            truth = None
        return {'$h': hid, 't': type(v).__name__, 'c': callable(v), 'b': truth}

    def ref(self, x):
        if '$g' in x:
            return self.g[x['$g']]
        return self.handles[x['$h']]

    def names(self):
        out = {}
        mods = sys.modules
        for k, v in list(self.g.items()):
            if k.startswith('__'):
                continue
            if type(v).__name__ == 'module':
                out[k] = {'k': 'module', 'm': getattr(v, '__name__', '')}
                continue
            mod = getattr(v, '__module__', None)
            if callable(v) and isinstance(mod, str) and mod != self.g['__name__'] and mod in mods:
                attr = k if getattr(mods[mod], k, None) is v else getattr(v, '__name__', k)
                out[k] = {'k': 'import', 'm': mod, 'a': attr}
            elif callable(v):
                out[k] = {'k': 'callable'}
            else:
                try:
                    enc = Codec().encode(v)
                    if len(dumps(enc)) > 1 << 16:
                        raise EncodeError('large')
                    out[k] = {'k': 'data', 'v': enc}
                except BaseException:
                    out[k] = {'k': 'handle', 'v': self.make_handle(v)}
        return out

    def serve(self, lim):
        send(3, {'ready': True, 'names': self.names()})
        rf = os.fdopen(4, 'rb', buffering=0)
        buf = b''
        while True:
            while b'\n' not in buf:
                chunk = rf.read(1 << 16)
                if not chunk:
                    os._exit(0)
                buf += chunk
            line, buf = buf.split(b'\n', 1)
            req = json.loads(line)
            try:
                if req['op'] == 'call':
                    f = self.ref(req['f'])
                    args = [decode_value(a, self) for a in req['a']]
                    kwargs = {k: decode_value(a, self) for k, a in req['k']}
                    value = f(*args, **kwargs)
                else:
                    value = getattr(self.handles[req['h']], req['n'])
                flush_std()
                reply = {'r': self.codec.encode(value)}
            except MemoryError:
                os._exit(MEM_EXIT)
            except BaseException as e:
                flush_std()
                reply = {'e': [type(e).__name__, describe(e)]}
            send(3, reply)


def run_server(job):
    g = load_solution(job['code'], 'solution')
    Server(g).serve(job['limits'])
