# forms.py: the three test forms, run by the judge process.
#   call:   one candidate process runs cases in order; a case that kills it is charged, the rest resume
#           in a fresh process. Values go back to the host, which compares them (expected never enters).
#   stdio:  one candidate process per case, stdin fed, stdout kept (capped) for the host to compare.
#   script: the test runs here, in the judge; names it takes from the solution are remote proxies that
#           exchange plain data with the candidate process.


def judge_call(job):
    cases = job['cases']
    n = len(cases)
    out = [None] * n
    start = 0
    lim = job['limits']
    while start < n:
        child = Child(job, (lambda s: lambda: run_calls(job, s))(start))
        deadline = time.monotonic() + wall_ms(lim) / 1000
        i = start
        load_fail = None
        while i < n:
            line = child.next_line(deadline)
            if line is None:
                break
            msg = json.loads(line)
            if 'fail' in msg:
                load_fail = msg
                break
            if msg.get('i') != i:
                child.kill('protocol')
                break
            out[i] = msg
            i += 1
            deadline = time.monotonic() + wall_ms(lim) / 1000
        fate = child.finish(deadline if i < n else time.monotonic() + 1)
        if load_fail is not None:
            for k in range(i, n):
                out[k] = {'i': k, 'v': load_fail['fail'], 'error': load_fail.get('error', '')}
            break
        if i < n:
            verdict, error = fate_verdict(fate if fate != 'protocol' else 'exit:?', 'during this test')
            out[i] = {'i': i, 'v': verdict, 'error': error, 'stderr': child.err_tail.decode('utf-8', 'replace')}
            start = i + 1
        else:
            start = n
    return out


def judge_stdio(job):
    out = []
    lim = job['limits']
    for i, data in enumerate(job['stdins']):
        child = Child(job, lambda: run_stdio(job), stdin_data=data)
        deadline = time.monotonic() + wall_ms(lim) / 1000
        line = child.next_line(deadline)
        msg = json.loads(line) if line else None
        fate = child.finish(deadline)
        stderr = child.err_tail.decode('utf-8', 'replace')
        if msg is not None and 'fail' in msg:
            out.append({'i': i, 'v': msg['fail'], 'error': msg.get('error', ''), 'stderr': stderr})
        elif fate is None:
            out.append({'i': i, 'v': 'ok', 'stdout': child.out.decode('utf-8', 'replace'), 'ms': child.cpu_ms})
        else:
            verdict, error = fate_verdict(fate, 'while running')
            out.append({'i': i, 'v': verdict, 'error': error, 'stderr': stderr})
    return out


class Conn:
    """The judge's side of the script form: calls into the candidate process, plain data both ways."""

    def __init__(self, child, deadline):
        self.child = child
        self.deadline = deadline
        self.codec = Codec(self.encode_ref)

    def encode_ref(self, v):
        if type(v) is Opaque:
            return {'$h': v.hid}
        if type(v) is Remote:
            return {'$g': v.name}
        raise TypeError('cannot pass a ' + type(v).__name__ + ' into the solution')

    def ref(self, x):
        truth = x.get('b')
        return Opaque(x['$h'], str(x.get('t', 'object')), self if x.get('c') else None, truth if type(truth) is bool else None)

    def recv(self):
        line = self.child.next_line(self.deadline)
        if line is None:
            fate = self.child.finish(time.monotonic() + 0.5)
            verdict, error = fate_verdict(fate, 'while the test was calling it')
            raise Stop(verdict, error)
        return json.loads(line)

    def request(self, msg):
        if self.child.req_w is None:
            raise Stop('runtime_error', 'the solution is gone')
        try:
            write_all(self.child.req_w, (dumps(msg) + '\n').encode('utf-8', 'surrogatepass'))
        except OSError:
            pass
        reply = self.recv()
        if 'e' in reply:
            name, text = reply['e'][0], reply['e'][1]
            cls = getattr(builtins, str(name), None)
            if isinstance(cls, type) and issubclass(cls, Exception):
                raise cls(text)
            raise RuntimeError(text)
        return decode_value(reply['r'], self)

    def call(self, f, args, kwargs):
        return self.request({'op': 'call', 'f': f, 'a': [self.codec.encode(a) for a in args],
                             'k': [[str(k), self.codec.encode(v)] for k, v in kwargs.items()]})

    def getattr(self, hid, name):
        return self.request({'op': 'getattr', 'h': hid, 'n': name})


class Remote:
    """A function or class of the solution, seen from the test: calling it runs it in the candidate process."""
    def __init__(self, name, conn):
        self.name = name
        self.conn = conn
        self.__name__ = name

    def __call__(self, *args, **kwargs):
        return self.conn.call({'$g': self.name}, args, kwargs)

    def __repr__(self):
        return '<solution ' + self.name + '>'


def pure_import(mod, attr=None):
    if mod not in PURE_MODULES or (attr is not None and mod in ('sys', 'time')):
        return None
    m = importlib.import_module(mod)
    return m if attr is None else getattr(m, attr, None)


def test_globals(names, conn):
    g = {'__name__': '__main__', '__builtins__': builtins}
    for k, d in names.items():
        kind = d.get('k')
        if kind == 'module':
            v = pure_import(str(d.get('m')))
        elif kind == 'import':
            v = pure_import(str(d.get('m')), str(d.get('a')))
            v = v if v is not None else Remote(k, conn)
        elif kind == 'callable':
            v = Remote(k, conn)
        elif kind == 'data':
            v = decode_value(d.get('v'), conn)
        else:
            v = decode_value(d.get('v'), conn)
        if v is not None:
            g[k] = v
    return g


def on_prof(signum, frame):
    raise Stop('timeout', 'the test code ran out of CPU time')


def judge_script(job, read_secret):
    lim = job['limits']
    child = Child(job, lambda: run_server(job), requests=True)
    cpu_s = int(lim['time_ms'] / 1000) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
    secret = read_secret(job['id'])
    deadline = time.monotonic() + wall_ms(lim) / 1000
    conn = Conn(child, deadline)
    try:
        code = compile(secret['script'], '<test>', 'exec')
    except (SyntaxError, ValueError) as e:
        child.kill('test_error')
        return None, describe(e)
    try:
        hello = conn.recv()
        if 'fail' in hello:
            return [{'i': 0, 'v': hello['fail'], 'error': hello.get('error', '')}], None
        g = test_globals(hello.get('names') or {}, conn)
        signal.signal(signal.SIGPROF, on_prof)
        signal.setitimer(signal.ITIMER_PROF, lim['time_ms'] / 1000)
        exec(code, g)
        signal.setitimer(signal.ITIMER_PROF, 0)
        result = {'i': 0, 'v': 'passed'}
    except Stop as e:
        result = {'i': 0, 'v': e.verdict, 'error': e.error}
    except SystemExit as e:
        result = {'i': 0, 'v': 'runtime_error', 'error': 'the test exited before its end: ' + describe(e)}
    except AssertionError as e:
        result = {'i': 0, 'v': 'wrong_answer', 'error': describe(e)}
    except MemoryError:
        result = {'i': 0, 'v': 'memory_limit', 'error': 'in the test code'}
    except BaseException as e:
        result = {'i': 0, 'v': 'runtime_error', 'error': describe(e)}
    signal.setitimer(signal.ITIMER_PROF, 0)
    child.kill('done')
    result['stderr'] = child.err_tail.decode('utf-8', 'replace')
    return [result], None
