# launch.py: starts one jail (any language). Run by the service on the host (as root, or as a non-root
# service user that owns a range of subordinate ids in /etc/subuid and /etc/subgid), it
#   1. leaves every supplementary group (root; a non-root user does it in step 3) and moves itself into the
#      slot's cgroups (argv[1] "cgroups", possibly none: see src/sandbox/cgroup.ts),
#   2. enters a new user namespace whose only ids are JUDGE (0 inside = the slot's judge uid outside) and
#      SOLUTION (1000 inside = the slot's solution uid outside); the maps are written by a forked helper
#      that stays in the host namespace (only a process there may map more than its own id): as root it
#      writes /proc/<pid>/{uid,gid}_map itself, otherwise it runs the setuid newuidmap/newgidmap (Debian's
#      uidmap), which map only ids /etc/subuid and /etc/subgid give to this user,
#   3. becomes JUDGE (root of that namespace only: no power over any host resource), leaves every
#      supplementary group, forbids further user namespaces (max_user_namespaces 0), and execs argv[2:]
#      (bubblewrap, which builds the rest of the jail).
# The judge process and the jail's first process run as JUDGE; the solution's processes switch to SOLUTION
# (see sandboxes/python/candidate.py become_solution), so they cannot signal, ptrace, prlimit or read them.
#   in:  argv[1] JSON {"judge_uid", "solution_uid", "judge_gid"?, "solution_gid"? (default: the uids),
#        "cgroups": [cgroup.procs paths]}, argv[2:] the command
import ctypes
import json
import os
import sys

CLONE_NEWUSER = 0x10000000
INSIDE_JUDGE = 0
INSIDE_SOLUTION = 1000
NEWUIDMAP = '/usr/bin/newuidmap'
NEWGIDMAP = '/usr/bin/newgidmap'


def write_maps(pid, uids, gids):
    """Maps JUDGE and SOLUTION of `pid`'s new user namespace; True when both maps were written."""
    if os.getuid() == 0:
        try:
            for name, (judge, solution) in (('uid_map', uids), ('gid_map', gids)):
                with open('/proc/%d/%s' % (pid, name), 'w') as fh:
                    fh.write('%d %d 1\n%d %d 1\n' % (INSIDE_JUDGE, judge, INSIDE_SOLUTION, solution))
        except OSError:
            return False
        return True
    for tool, (judge, solution) in ((NEWUIDMAP, uids), (NEWGIDMAP, gids)):
        args = [tool, str(pid), str(INSIDE_JUDGE), str(judge), '1', str(INSIDE_SOLUTION), str(solution), '1']
        if os.spawnv(os.P_WAIT, tool, args) != 0:
            return False
    return True


def main():
    cfg = json.loads(sys.argv[1])
    judge, solution = int(cfg['judge_uid']), int(cfg['solution_uid'])
    gids = int(cfg.get('judge_gid', judge)), int(cfg.get('solution_gid', solution))
    if min(judge, solution, *gids) <= 0 or judge == solution or gids[0] == gids[1]:
        raise SystemExit('launch: bad uids')
    root = os.getuid() == 0
    if root:
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
        os._exit(0 if write_maps(me, (judge, solution), gids) else 2)
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
    if not root:
        os.setgroups([])
    with open('/proc/sys/user/max_user_namespaces', 'w') as fh:
        fh.write('0')
    os.execv(sys.argv[2], sys.argv[2:])


main()
