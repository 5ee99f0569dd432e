#!/usr/bin/env bash
# Installs the system packages the test suite needs where they are missing (Debian; run as root):
#   bubblewrap   the Python sandbox
#   uidmap       newuidmap/newgidmap: the Python sandbox of a service not running as root (test/sandbox/nonroot.test.ts)
#   redis-server a Redis for tests that need their own (persistence, restarts), and the local Redis Cluster
#   chromium     headless screenshots of the dashboard and reports
#   iproute2, util-linux (ip netns, nsenter): the test of workers on other hosts (network namespaces, as root)
#   compiled code languages (src/sandbox/native, sandboxes/<language>/metadata.json): g++ (C, C++),
#   openjdk-17-jdk-headless (Java), golang-go + testify (Go), rustc + the regex/md5/rand crates (Rust),
#   libboost-dev and libssl-dev (headers some HumanEval-X C++ programs include)
#   python3-torch, python3-omegaconf  the trainer call-site tests (OpenRLHF/verl/TRL arithmetic in torch, Hydra
#                options as DictConfig), checked with Debian's /usr/bin/python3 (python3 on PATH may be a pyenv shim)
# Nothing is downloaded at run time; everything comes from Debian's packages.
set -euo pipefail
need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
[ -x /usr/bin/newuidmap ] || need+=(uidmap)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v nsenter >/dev/null 2>&1 || need+=(util-linux)
[ -x /usr/bin/g++ ] || need+=(g++)
[ -x /usr/bin/javac ] || need+=(openjdk-17-jdk-headless)
[ -x /usr/bin/go ] || need+=(golang-go)
[ -x /usr/bin/rustc ] || need+=(rustc)
[ -x /usr/bin/cargo ] || need+=(cargo)
for pkg in golang-github-stretchr-testify-dev librust-regex-dev librust-md5-dev librust-rand-dev libboost-dev libssl-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || need+=("$pkg")
done
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || need+=(python3-torch)
/usr/bin/python3 -c 'import omegaconf' >/dev/null 2>&1 || need+=(python3-omegaconf)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup-system: missing ${need[*]}; run as root (or install them) first" >&2
    exit 1
  fi
  echo "setup-system: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${need[@]}" >/dev/null
fi
# A Redis on 127.0.0.1:6379 for the integration tests: start one when none answers.
if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  echo "setup-system: starting redis-server on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && break; sleep 0.1; done
fi
# A local Redis Cluster (3 masters + 3 replicas on 127.0.0.1:7100-7105) for the pipeline's cluster tests.
bash "$(dirname "$0")/redis-cluster.sh" start 7100 >/dev/null
# The JavaScript sandbox processes run as unprivileged uids and load worker.js and isolated-vm from this
# checkout: every folder above it must be searchable by others (a checkout under `mktemp -d`, mode 0700, is not).
# Only the search bit is added, never read or write; the pool names the folder when one is missing.
if [ "$(id -u)" = 0 ]; then
  d="$(cd "$(dirname "$0")/.." && pwd)"
  while [ "$d" != / ]; do
    [ "$(( 0$(stat -c %a "$d") & 01 ))" = 1 ] || { echo "setup-system: chmod o+x $d (sandbox uids must reach the checkout)"; chmod o+x "$d"; }
    d="$(dirname "$d")"
  done
fi
# The sandboxes' own check: a jail starts as an unprivileged uid, python3 and isolated-vm are there.
sh "$(dirname "$0")/setup-sandbox.sh"
echo "setup-system: ok (bwrap $(bwrap --version 2>/dev/null | awk '{print $2}'), $(redis-server --version | awk '{print $3}'))"
