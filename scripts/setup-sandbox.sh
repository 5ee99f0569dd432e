#!/bin/sh
# Checks what the code sandboxes need: bubblewrap, /usr/bin/python3, a jail that starts as an unprivileged
# uid, and isolated-vm's build. Installing is scripts/setup-system.sh's job (npm run setup), which ends by
# running this check. The service itself must run as root to give each jail slot its two uids.
set -eu

if [ ! -x /usr/bin/bwrap ]; then
  echo "setup-sandbox: /usr/bin/bwrap missing: run npm run setup (as root), which installs bubblewrap" >&2
  exit 1
fi
/usr/bin/bwrap --version

if [ ! -x /usr/bin/python3 ]; then
  echo "setup-sandbox: /usr/bin/python3 missing (apt-get install -y python3)" >&2
  exit 1
fi
/usr/bin/python3 --version

cd "$(dirname "$0")/.."
# The jails need a user namespace mapping two uids (judge, solution; written by root), mounts and IPC
# namespaces inside it, and a cgroup for the solution's CPU time: probe exactly that, as the service does.
if [ "$(id -u)" -eq 0 ]; then
  /usr/bin/python3 -S -I -B sandboxes/jail/launch.py '{"judge_uid": 65530, "solution_uid": 65531, "cgroups": []}' \
    /usr/bin/bwrap --unshare-pid --unshare-net --unshare-ipc --unshare-uts --die-with-parent --clearenv \
    --cap-drop ALL --cap-add CAP_SETUID --cap-add CAP_SETGID --cap-add CAP_KILL --cap-add CAP_SYS_ADMIN \
    --ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/bin /bin --symlink usr/lib64 /lib64 \
    --proc /proc --dev /dev --tmpfs /tmp --as-pid-1 /usr/bin/python3 -S -I -c '
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
assert libc.mount(b"tmpfs", b"/tmp", b"tmpfs", 0, b"size=1m,mode=1777") == 0, "mount"
assert libc.unshare(0x08000000) == 0, "ipc namespace"
pid = os.fork()
if pid == 0:
    os.setgroups([]); os.setresgid(1000, 1000, 1000); os.setresuid(1000, 1000, 1000)
    try:
        os.kill(1, 19)
        os._exit(3)
    except PermissionError:
        os._exit(0)
_, st = os.waitpid(pid, 0)
assert st == 0, "the solution uid could signal the judge"
print("jail (judge and solution uids): ok")'
  if [ -e /sys/fs/cgroup/cgroup.controllers ] || [ -e /sys/fs/cgroup/cpuacct/cpuacct.usage ] || [ -e /sys/fs/cgroup/cpu,cpuacct/cpuacct.usage ]; then
    echo "cgroup cpu accounting: present"
  else
    echo "setup-sandbox: no cgroup CPU accounting (v2, or v1 cpuacct) under /sys/fs/cgroup: python jails will refuse to start" >&2
    exit 1
  fi
else
  echo "setup-sandbox: not root: the python sandbox needs the service to run as root (two uids per slot)" >&2
fi

if [ -d node_modules/isolated-vm ] && [ ! -f node_modules/isolated-vm/out/isolated_vm.node ]; then
  echo "setup-sandbox: isolated-vm is not built; run npm rebuild isolated-vm (needs nodedir=/usr in .npmrc)" >&2
  exit 1
fi
echo "setup-sandbox: ready"
