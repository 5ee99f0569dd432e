# server.py: the jail's first process (pid 1 of its pid namespace, so nothing inside can kill it). It never
# reads a job itself: it forks a judge that waits for the next job, and after each job it kills every other
# process in the jail, empties /tmp and reports. Its memory therefore holds no job, test or result that a
# later solution could find in a forked copy.
#   in:  argv[1] JSON {nproc}
#   out: fd 1 {"type": "ready"} once, then {"type": "done", "exit": code|null, "signal": name|null} per job
import gc
import shutil

def judge_main():
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    line = read_line(0)
    if line is None:
        os._exit(EOF_EXIT)
    null = os.open('/dev/null', os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    job = json.loads(line)
    secret_buf = [b'']

    def read_secret(job_id):
        while True:
            while b'\n' not in secret_buf[0]:
                chunk = os.read(3, 1 << 20)
                if not chunk:
                    raise Stop('runtime_error', 'no test source arrived')
                secret_buf[0] += chunk
            line, secret_buf[0] = secret_buf[0].split(b'\n', 1)
            msg = json.loads(line)
            if msg.get('id') == job_id:
                return msg

    t0 = time.monotonic()
    test_error = None
    form = job['form']
    if form == 'call':
        results = judge_call(job)
    elif form == 'stdio':
        results = judge_stdio(job)
    else:
        results, test_error = judge_script(job, read_secret)
    reply = {'type': 'result', 'id': job['id'], 'results': results, 'wall_ms': round((time.monotonic() - t0) * 1000, 1)}
    if test_error is not None:
        reply['test_error'] = test_error
    send(1, reply)


def reap_all():
    for _ in range(100):
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        while True:
            try:
                pid, _ = os.waitpid(-1, 0)
            except ChildProcessError:
                return
            if pid == 0:
                break


def empty_tmp():
    def fix(func, path, exc):
        try:
            os.chmod(os.path.dirname(path) or '/tmp', 0o700)
            os.chmod(path, 0o700)
        except OSError:
            pass
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)
        except OSError:
            pass
    os.chmod('/tmp', 0o700)
    for entry in os.listdir('/tmp'):
        p = '/tmp/' + entry
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p, onerror=fix)
        else:
            try:
                os.unlink(p)
            except OSError:
                pass
    return not os.listdir('/tmp')


def ipc_clean():
    for name in ('shm', 'sem', 'msg'):
        try:
            with open('/proc/sysvipc/' + name) as f:
                if len(f.read().splitlines()) > 1:
                    return False
        except OSError:
            pass
    return True


def preload():
    for m in ('math', 'cmath', 're', 'collections', 'itertools', 'functools', 'heapq', 'bisect', 'string',
              'random', 'typing', 'fractions', 'decimal', 'copy', 'operator', 'statistics', 'hashlib', 'datetime',
              'collections.abc', 'dataclasses', 'enum', 'textwrap', 'array'):
        try:
            importlib.import_module(m)
        except ImportError:
            pass
    if os.path.isdir('/usr/lib/python3/dist-packages'):
        sys.path.append('/usr/lib/python3/dist-packages')


def server_main():
    cfg = json.loads(sys.argv[1])
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    import ctypes
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: no ptrace, no /proc/<pid>/mem or fd
    resource.setrlimit(resource.RLIMIT_NPROC, (cfg['nproc'], cfg['nproc']))
    if sys.flags.optimize:
        raise SystemExit('asserts are off')
    preload()
    gc.collect()
    gc.freeze()
    send(1, {'type': 'ready', 'pid': os.getpid(), 'python': sys.version.split()[0]})
    while True:
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                judge_main()
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 1
            except BaseException:
                code = 70
            os._exit(code)
        st = 0
        while True:
            try:
                got, st = os.waitpid(-1, 0)
            except ChildProcessError:
                break
            if got == pid:
                break
        reap_all()
        if os.WIFEXITED(st) and os.WEXITSTATUS(st) == EOF_EXIT:
            os._exit(0)
        clean = empty_tmp() and ipc_clean()
        sig = signal.Signals(os.WTERMSIG(st)).name if os.WIFSIGNALED(st) else None
        write_all(1, ('\n' + dumps({'type': 'done', 'exit': os.WEXITSTATUS(st) if os.WIFEXITED(st) else None,
                                    'signal': sig, 'clean': clean}) + '\n').encode())
        if not clean:
            os._exit(0)


server_main()
