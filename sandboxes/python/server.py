# server.py: the jail's first process (pid 1 of its pid namespace), running as JUDGE. It never reads a job
# itself: per job it mounts a fresh /tmp and enters a fresh IPC namespace (SysV IPC and POSIX message queues
# of earlier jobs are unreachable), forks a judge that waits for the next job, forwards the judge's frames to
# the service with splice (no job, test or result passes through its memory, so no later fork of it can
# find one), and after the judge ends kills every other process in the jail and reports. The service's
# pipes are fds 3 (in) and 4 (out); no solution process ever holds them.
#   in:  argv[1] JSON {nproc, tmpfs_bytes}
#   out: fd 4 frames: {"type": "ready"} once, then per job the judge's frames and
#        {"type": "done", "exit": code|null, "signal": name|null, "cut": bool}
import gc

HOST_OUT = 4
CLONE_NEWIPC = 0x08000000
MNT_DETACH = 2


def judge_main(out_fd):
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    job = read_frame(IN_FD)
    if job is None:
        os._exit(EOF_EXIT)
    null = os.open('/dev/null', os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)  # a test's prints and errors go nowhere: never onto a channel
    os.close(null)
    os.close(HOST_OUT)
    os.dup2(out_fd, OUT_FD)
    if out_fd != OUT_FD:
        os.close(out_fd)
    sys.stdout = sys.stderr = open(1, 'w', closefd=False)  # closefd=False: fd numbers are reused by pipes

    def read_script():
        msg = read_frame(IN_FD)
        if type(msg) is not dict or type(msg.get('script')) is not str:
            raise SystemExit('no test source arrived')
        return msg['script']

    t0 = time.monotonic()
    test_error = None
    form = job['form']
    reply = {'type': 'result', 'id': job['id']}
    try:
        if form == 'call':
            results = judge_call(job)
        elif form == 'stdio':
            results = judge_stdio(job)
        else:
            results, test_error = judge_script(job, read_script)
    except HostFault as e:
        results = []
        reply['host_fault'] = str(e)
    for r in results or []:
        r['type'] = 'case'
        send_frame(OUT_FD, r)
    reply['wall_ms'] = round((time.monotonic() - t0) * 1000, 1)
    if test_error is not None:
        reply['test_error'] = test_error
    send_frame(OUT_FD, reply)


def forward(src):
    """Copy the judge's frames to the service until it closes its end. Returns False when the judge died
    inside a frame: the frame is then completed with spaces (unreadable JSON), so framing never desyncs."""
    while True:
        head = read_exact(src, 4)
        if head is None:
            return True
        n = struct.unpack('>I', head)[0]
        write_all(HOST_OUT, head)
        left = n
        while left > 0:
            try:
                moved = os.splice(src, HOST_OUT, left)
            except OSError:
                moved = copy_some(src, left)
            if moved == 0:
                pad = b' ' * min(left, 1 << 16)
                while left > 0:
                    left -= os.write(HOST_OUT, pad[:left])
                return False
            left -= moved


def copy_some(src, left):
    data = os.read(src, min(left, 1 << 16))
    write_all(HOST_OUT, data)
    return len(data)


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


def fresh_state(cfg, libc):
    """A new, empty /tmp (the old one, whatever is in it, is detached whole) and a new IPC namespace."""
    if libc.umount2(b'/tmp', MNT_DETACH) != 0 or libc.mount(
            b'tmpfs', b'/tmp', b'tmpfs', 0,
            ('size=%d,mode=1777,nr_inodes=65536' % cfg['tmpfs_bytes']).encode()) != 0:
        raise SystemExit('cannot mount a fresh /tmp: errno %d' % ctypes.get_errno())
    if libc.unshare(CLONE_NEWIPC) != 0:
        raise SystemExit('cannot enter a fresh IPC namespace: errno %d' % ctypes.get_errno())


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
    CFG['nproc'] = int(cfg['nproc'])
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0
    for fd in (IN_FD, HOST_OUT):
        os.set_inheritable(fd, False)
    if sys.flags.optimize:
        raise SystemExit('asserts are off')
    if os.getuid() == SOLUTION_ID:
        raise SystemExit('the jail runs as the solution uid')
    CFG['cpu'] = 'proc' if cfg.get('cpu') == 'proc' else 'cgroup'
    if CFG['cpu'] == 'cgroup':
        cg_cpu_ms()  # the solution cgroup must be there
    else:
        CFG['seccomp'] = seccomp_program()  # every candidate installs it (keep_children_accounted)
    preload()
    gc.collect()
    gc.freeze()
    send_frame(HOST_OUT, {'type': 'ready', 'pid': os.getpid(), 'python': sys.version.split()[0]})
    while True:
        fresh_state(cfg, libc)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            code = 0
            try:
                judge_main(w)
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 1
            except BaseException:
                code = 70
            os._exit(code)
        os.close(w)
        whole = forward(r)
        os.close(r)
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
        sig = signal.Signals(os.WTERMSIG(st)).name if os.WIFSIGNALED(st) else None
        send_frame(HOST_OUT, {'type': 'done', 'exit': os.WEXITSTATUS(st) if os.WIFEXITED(st) else None,
                              'signal': sig, 'cut': not whole})


server_main()
