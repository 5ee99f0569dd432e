# forms.py: the three test forms, run by the judge process.
#   call:   one candidate process runs cases in order; a case that kills it is charged, the rest resume
#           in a fresh process. Values go back to the host, which compares them (expected never enters).
#   stdio:  one candidate process per case, stdin fed, stdout kept (capped) for the host to compare.
#   script: the test runs here, in the judge; names it takes from the solution are remote proxies that
#           exchange plain data with the candidate process.


def case_message(line, i):
    """A call case's line from the candidate, as data: only {i, v: ok|runtime_error, value|error, ms}."""
    try:
        msg = json.loads(line)
    except (ValueError, RecursionError, MemoryError):
        raise Protocol('unreadable result line')
    if type(msg) is not dict:
        raise Protocol('result is not an object')
    if 'fail' in msg:
        v = msg.get('fail')
        if v not in LOAD_VERDICTS:
            raise Protocol('unknown failure')
        return {'fail': v, 'error': clip(msg.get('error'))}
    if msg.get('i') != i or type(msg.get('i')) is not int or msg.get('v') not in CASE_VERDICTS:
        raise Protocol('result out of order or of an unknown kind')
    out = {'i': i, 'v': msg['v']}
    if msg['v'] == 'ok':
        if 'value' not in msg:
            raise Protocol('no value')
        out['value'] = msg['value']
    else:
        out['error'] = clip(msg.get('error'))
    ms = msg.get('ms')
    if type(ms) in (int, float):
        out['ms'] = ms
    return out


def judge_call(job):
    cases = job['cases']
    n = len(cases)
    out = [None] * n
    start = 0
    lim = job['limits']
    budget = reply_budget(lim)
    while start < n:
        child = Child(job, (lambda s: lambda: run_calls(job, s))(start))
        deadline = time.monotonic() + wall_ms(lim) / 1000
        i = start
        load_fail = None
        while i < n:
            line = child.next_line(deadline)
            if line is None:
                break
            try:
                msg = case_message(line, i)
            except Protocol:
                child.kill('protocol')
                break
            if 'fail' in msg:
                load_fail = msg
                break
            if msg['v'] == 'ok':
                if len(line) > budget:
                    msg = {'i': i, 'v': 'output_limit', 'error': 'the returned values of this job exceed %d bytes' % reply_budget(lim)}
                else:
                    budget -= len(line)
            out[i] = msg
            i += 1
            deadline = time.monotonic() + wall_ms(lim) / 1000
            child.new_window()
        fate = child.finish(deadline if i < n else time.monotonic() + 1)
        if load_fail is not None:
            for k in range(i, n):
                out[k] = {'i': k, 'v': load_fail['fail'], 'error': load_fail['error']}
            break
        if i < n:
            verdict, error = fate_verdict(fate if fate != 'protocol' else 'exit:?', 'during this test')
            if fate == 'protocol':
                error = 'the solution wrote something else than a result on the result pipe'
            out[i] = {'i': i, 'v': verdict, 'error': error, 'stderr': child.err_tail.decode('utf-8', 'replace')}
            start = i + 1
        else:
            start = n
    return out


def judge_stdio(job):
    out = []
    lim = job['limits']
    budget = reply_budget(lim)
    for i, data in enumerate(job['stdins']):
        child = Child(job, lambda: run_stdio(job), stdin_data=data)
        deadline = time.monotonic() + wall_ms(lim) / 1000
        line = child.next_line(deadline)
        msg = None
        if line:
            try:
                msg = case_message(line, i)
            except Protocol:
                msg = None
        fate = child.finish(deadline)
        stderr = child.err_tail.decode('utf-8', 'replace')
        if msg is not None and 'fail' in msg:
            out.append({'i': i, 'v': msg['fail'], 'error': msg['error'], 'stderr': stderr})
        elif fate is None and len(child.out) > budget:
            out.append({'i': i, 'v': 'output_limit', 'error': 'the output of this job exceeds %d bytes' % reply_budget(lim)})
        elif fate is None:
            budget -= len(child.out)
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
        self.failed = None
        self.host_fault = False

    def stop(self, verdict, error):
        """The first failure the solution caused decides, even if the test's bare `except:` swallows it."""
        if self.failed is None:
            self.failed = Stop(verdict, error)
        raise Stop(verdict, error)

    def encode_ref(self, v):
        if type(v) is Opaque:
            return {'$h': v.hid}
        if type(v) is Remote:
            return {'$g': v.name}
        raise TypeError('cannot pass a ' + type(v).__name__ + ' into the solution')

    def ref(self, x):
        truth = x.get('b')
        hid = x.get('$h')
        if type(hid) is not int:
            raise ValueError('bad handle')
        return Opaque(hid, clip(x.get('t'), 100) or 'object', self if x.get('c') is True else None, truth if type(truth) is bool else None)

    def recv(self):
        line = self.child.next_line(self.deadline)
        if line is None:
            fate = self.child.finish(time.monotonic() + 0.5)
            try:
                verdict, error = fate_verdict(fate, 'while the test was calling it')
            except HostFault:
                self.host_fault = True
                raise
            self.stop(verdict, error)
        try:
            msg = json.loads(line)
        except (ValueError, RecursionError, MemoryError):
            msg = None
        if type(msg) is not dict:
            self.child.kill('protocol')
            self.stop('runtime_error', 'the solution wrote something else than a reply on its pipe')
        return msg

    def request(self, msg):
        if self.child.req_w is None:
            self.stop('runtime_error', 'the solution is gone')
        try:
            write_all(self.child.req_w, (dumps(msg) + '\n').encode('utf-8', 'surrogatepass'))
        except OSError:
            pass
        reply = self.recv()
        e = reply.get('e')
        if e is not None:
            name, text = (e[0], e[1]) if type(e) is list and len(e) == 2 else ('', '')
            cls = EXCEPTIONS.get(name) if type(name) is str else None
            raise (cls or RuntimeError)(clip(text))
        if 'r' not in reply:
            self.stop('runtime_error', 'the solution sent a reply of an unknown kind')
        try:
            return decode_value(reply['r'], self)
        except (ValueError, TypeError, KeyError, IndexError, RecursionError, OverflowError):
            self.stop('runtime_error', 'the solution sent a value that does not decode')

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


BUILTIN_NAMES = frozenset(dir(builtins))
EXCEPTIONS = {k: v for k, v in vars(builtins).items() if isinstance(v, type) and issubclass(v, Exception)}


def pure_import(mod, attr=None):
    if type(mod) is not str or mod not in PURE_MODULES or (attr is not None and mod in ('sys', 'time')):
        return None
    if attr is not None and (type(attr) is not str or not attr.isidentifier() or attr.startswith('_')):
        return None
    m = importlib.import_module(mod)
    return m if attr is None else getattr(m, attr, None)


def literal(node):
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


def shadowable(tree):
    """Builtins' names a solution may define for this test: those the test only ever calls on literal data
    (MBPP's `assert sum(10, 15) == 6` tests a solution function named sum). A name the test applies to
    anything else (`abs(candidate(x) - y)`, `all([...])`, `len(r)`), or uses without calling, stays the
    builtin, so a solution cannot replace the test's own tools."""
    direct = set()
    other = set()
    callees = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            callees.add(id(node.func))
            ok = all(literal(a) for a in node.args) and all(k.arg is not None and literal(k.value) for k in node.keywords)
            (direct if ok else other).add(node.func.id)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in direct and id(node) not in callees:
            other.add(node.id)
    return frozenset(n for n in direct - other if n in BUILTIN_NAMES)


def test_globals(names, conn, allowed_builtins=frozenset()):
    """The test's namespace, built here: __name__ '__main__' and the judge's own builtins, then the names the
    solution defined, as data. A name the judge does not take: dunders, builtins' names (a solution's `abs`
    or `AssertionError` never replaces the test's), anything not an identifier, kinds outside the closed set;
    modules only from the stdlib allowlist, imported here (the solution's copy of `math` is never used)."""
    g = {'__name__': '__main__', '__builtins__': builtins}
    if type(names) is not dict:
        return g
    for k, d in names.items():
        if type(k) is not str or not k.isidentifier() or k.startswith('__') or type(d) is not dict or (
                k in BUILTIN_NAMES and k not in allowed_builtins):
            continue
        kind = d.get('k')
        try:
            if kind == 'module':
                v = pure_import(d.get('m'))
            elif kind == 'import':
                v = pure_import(d.get('m'), d.get('a'))
                v = v if v is not None else Remote(k, conn)
            elif kind == 'callable':
                v = Remote(k, conn)
            elif kind in ('data', 'handle'):
                v = decode_value(d.get('v'), conn)
            else:
                v = None
        except (ValueError, TypeError, KeyError, IndexError, RecursionError, OverflowError, ImportError):
            v = None
        if v is not None:
            g[k] = v
    return g


def on_prof(signum, frame):
    raise Stop('timeout', 'the test code ran out of CPU time')


def judge_script(job, read_script):
    lim = job['limits']
    child = Child(job, lambda: run_server(job), requests=True)
    script = read_script()  # only now, with the solution's process already forked
    cpu_s = int(lim['time_ms'] / 1000) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
    deadline = time.monotonic() + wall_ms(lim) / 1000
    conn = Conn(child, deadline)
    try:
        tree = ast.parse(script, '<test>')
        code = compile(tree, '<test>', 'exec')
    except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
        child.kill('test_error')
        return None, describe(e)
    try:
        hello = conn.recv()
        if 'fail' in hello:
            v = hello['fail'] if hello['fail'] in LOAD_VERDICTS else 'runtime_error'
            return [{'i': 0, 'v': v, 'error': clip(hello.get('error'))}], None
        g = test_globals(hello.get('names'), conn, shadowable(tree))
        signal.signal(signal.SIGPROF, on_prof)
        signal.setitimer(signal.ITIMER_PROF, lim['time_ms'] / 1000)
        exec(code, g)
        signal.setitimer(signal.ITIMER_PROF, 0)
        result = {'i': 0, 'v': 'passed'}
    except HostFault:
        raise
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
    if conn.host_fault:
        raise HostFault('host_slow')
    if conn.failed is not None:
        result = {'i': 0, 'v': conn.failed.verdict, 'error': conn.failed.error}
    child.kill('done')
    result['stderr'] = child.err_tail.decode('utf-8', 'replace')
    return [result], None
