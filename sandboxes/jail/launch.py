# launch.py: starts one jail (any language). Run by the service as root on the host, it
#   1. leaves every supplementary group and moves itself into the slot's cgroups (argv[1] "cgroups"),
#   2. enters a new user namespace whose only ids are JUDGE (0 inside = the slot's judge uid outside) and
#      SOLUTION (1000 inside = the slot's solution uid outside); the maps are written by a forked helper
#      that stays in the host namespace (only a process there may map more than its own id),
#   3. becomes JUDGE (root of that namespace only: no power over any host resource), forbids further user
#      namespaces (max_user_namespaces 0), and execs argv[2:] (bubblewrap, which builds the rest of the jail).
# The judge process and the jail's first process run as JUDGE; the solution's processes switch to SOLUTION
# (see sandboxes/python/candidate.py become_solution), so they cannot signal, ptrace, prlimit or read them.
#   in:  argv[1] JSON {"judge_uid", "solution_uid", "cgroups": [cgroup.procs paths]}, argv[2:] the command
import ctypes
import json
import os
import sys

CLONE_NEWUSER = 0x10000000
INSIDE_JUDGE = 0
INSIDE_SOLUTION = 1000


def main():
    cfg = json.loads(sys.argv[1])
    judge, solution = int(cfg['judge_uid']), int(cfg['solution_uid'])
    if judge <= 0 or solution <= 0 or judge == solution:
        raise SystemExit('launch: bad uids')
    os.setgroups([])
    for procs in cfg.get('cgroups') or []:
        with open(procs, 'w') as fh:
            fh.write(str(os.getpid()))
    me = os.getpid()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(go_w)
        if os.read(go_r, 1) != b'u':
            os._exit(1)
        ids = '%d %d 1\n%d %d 1\n' % (INSIDE_JUDGE, judge, INSIDE_SOLUTION, solution)
        try:
            for name in ('uid_map', 'gid_map'):
                with open('/proc/%d/%s' % (me, name), 'w') as fh:
                    fh.write(ids)
        except OSError:
            os._exit(2)
        os._exit(0)
    os.close(go_r)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWUSER) != 0:
        raise SystemExit('launch: unshare(CLONE_NEWUSER) failed: errno %d' % ctypes.get_errno())
    os.write(go_w, b'u')
    os.close(go_w)
    _, st = os.waitpid(pid, 0)
    if st != 0:
        raise SystemExit('launch: could not write the uid/gid maps')
    os.setresgid(INSIDE_JUDGE, INSIDE_JUDGE, INSIDE_JUDGE)
    os.setresuid(INSIDE_JUDGE, INSIDE_JUDGE, INSIDE_JUDGE)
    with open('/proc/sys/user/max_user_namespaces', 'w') as fh:
        fh.write('0')
    os.execv(sys.argv[2], sys.argv[2:])


main()
