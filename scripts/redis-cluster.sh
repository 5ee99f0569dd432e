#!/usr/bin/env bash
# A real local Redis Cluster from Debian's redis-server: 3 masters + 3 replicas on 127.0.0.1.
#   bash scripts/redis-cluster.sh start [BASE_PORT] [DIR]   ports BASE..BASE+5 (default 7100), data in DIR
#   bash scripts/redis-cluster.sh stop  [BASE_PORT] [DIR]
# Idempotent: a cluster that already answers with cluster_state:ok is left as it is. Each node keeps an
# append-only file fsynced every second (appendfsync everysec); replicas take over 2 s (cluster-node-timeout,
# CLUSTER_NODE_TIMEOUT_MS) after their master stops answering. The seed URL for REDIS_URL is printed:
#   redis+cluster://127.0.0.1:BASE,127.0.0.1:BASE+1,127.0.0.1:BASE+2
set -euo pipefail
cmd="${1:-start}"
base="${2:-7100}"
dir="${3:-${TMPDIR:-/tmp}/rwd-redis-cluster-$base}"
timeout_ms="${CLUSTER_NODE_TIMEOUT_MS:-2000}"
ports=()
for i in 0 1 2 3 4 5; do ports+=($((base + i))); done

cluster_ok () { redis-cli -p "$base" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; }

start_node () {
  local port="$1" d="$dir/$1"
  mkdir -p "$d"
  redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --dir "$d" \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout "$timeout_ms" \
    --appendonly yes --appendfsync everysec --save '' --maxmemory-policy noeviction \
    --logfile "$d/redis.log" --pidfile "$d/redis.pid"
}

case "$cmd" in
  start)
    for p in "${ports[@]}"; do start_node "$p"; done
    for p in "${ports[@]}"; do
      for _ in $(seq 100); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.05; done
    done
    if ! cluster_ok; then
      known=$(redis-cli -p "$base" cluster info | awk -F: '/^cluster_known_nodes/ {print $2+0}')
      if [ "$known" -le 1 ]; then
        args=()
        for p in "${ports[@]}"; do args+=("127.0.0.1:$p"); done
        redis-cli --cluster create "${args[@]}" --cluster-replicas 1 --cluster-yes >/dev/null
      fi
      for _ in $(seq 200); do cluster_ok && break; sleep 0.1; done
      cluster_ok || { echo "redis-cluster: cluster on $base did not become ok" >&2; exit 1; }
    fi
    echo "redis+cluster://127.0.0.1:${ports[0]},127.0.0.1:${ports[1]},127.0.0.1:${ports[2]}"
    ;;
  stop)
    for p in "${ports[@]}"; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop [BASE_PORT] [DIR]" >&2; exit 2 ;;
esac
