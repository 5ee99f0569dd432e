#!/bin/sh
# Checks what the code sandboxes need: bubblewrap, /usr/bin/python3, a jail that starts as an unprivileged
# uid, and isolated-vm's build. Installing is scripts/setup-system.sh's job (npm run setup), which ends by
# running this check. The service itself must run as root to give each jail slot its uid.
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

# The jails need user and network namespaces; probe one as an unprivileged uid, as the service does.
if [ "$(id -u)" -eq 0 ]; then
  setpriv --reuid 65534 --regid 65534 --clear-groups /usr/bin/bwrap --unshare-all --unshare-user \
    --die-with-parent --ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/bin /bin \
    --proc /proc --dev /dev --tmpfs /tmp /usr/bin/python3 -S -c 'print("bwrap jail: ok")'
fi

cd "$(dirname "$0")/.."
if [ -d node_modules/isolated-vm ] && [ ! -f node_modules/isolated-vm/out/isolated_vm.node ]; then
  echo "setup-sandbox: isolated-vm is not built; run npm rebuild isolated-vm (needs nodedir=/usr in .npmrc)" >&2
  exit 1
fi
echo "setup-sandbox: ready"
