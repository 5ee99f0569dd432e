#!/usr/bin/env bash
# The one command run on the GPU machine (repository root as the working directory, .bundle/ carried):
# unpacks the bundle (trainer/bundle.sh), starts Redis and the service (its embedded scoring worker consumes the
# rollout queue), waits for /readyz, runs the torch unit tests, then the miniature R1 run, and copies the log,
# metrics and plot into $OUT (at most 8 files come back: everything is also packed in run.tar.gz).
#
# Usage: bash trainer/run-on-gpu.sh <preset smoke|full> <run name> [more args for python3 -m trainer r1]
# Two runs side by side on a two-GPU machine: give each its own CUDA_VISIBLE_DEVICES, RUNTIME_DIR, REDIS_PORT,
# SERVICE_PORT and OUT (see trainer/README.md).
#        R1_TASK=r1-lang|r1-code bash trainer/run-on-gpu.sh full <run name> [more args]   (trainer/r1_tasks.py)
set -uo pipefail
preset=${1:-smoke}
name=${2:-r1-$preset}
shift 2 || true
root=$(pwd)
bundle=$root/.bundle
rt=${RUNTIME_DIR:-/tmp/rv-runtime}
out=${OUT:-$root/out}
run_dir=$root/trainer/runs/$name
logs=$run_dir/logs
redis_port=${REDIS_PORT:-6390}
svc_port=${SERVICE_PORT:-8080}
mkdir -p "$rt/app" "$rt/redis" "$out" "$logs"
t0=$(date +%s)
say() { echo "[run-on-gpu +$(( $(date +%s) - t0 ))s] $*" | tee -a "$logs/run-on-gpu.txt"; }

say "unpacking bundle ($(du -sh "$bundle" | cut -f1)); app commit $(cat "$bundle/app.commit" 2>/dev/null)"
xz -T0 -dc "$bundle/node.xz" > "$rt/node" && chmod +x "$rt/node" &
(xz -T0 -dc "$bundle/app.tar.xz" | tar -C "$rt/app" -xf - && xz -T0 -dc "$bundle/node_modules.tar.xz" | tar -C "$rt/app" -xf -) &
(xz -T0 -dc "$bundle/redis.tar.xz" | tar -C "$rt/redis" -xf -) &
wait
export PATH=$rt:$PATH
say "node $(node --version); $(nproc) cores; $(python3 -c 'import torch,sys;print("python",sys.version.split()[0],"torch",torch.__version__,"cuda",torch.cuda.is_available(),torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")')"

redis_bin=$rt/redis/usr/bin/redis-server
LD_LIBRARY_PATH=$rt/redis/usr/lib/x86_64-linux-gnu "$redis_bin" --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  --maxmemory-policy noeviction > "$logs/redis.log" 2>&1 &
redis_pid=$!
sleep 1
say "redis pid $redis_pid: $(LD_LIBRARY_PATH=$rt/redis/usr/lib/x86_64-linux-gnu "$rt/redis/usr/bin/redis-cli" -p "$redis_port" ping 2>&1)"

(cd "$rt/app" && PORT=$svc_port HOST=127.0.0.1 REDIS_URL=redis://127.0.0.1:$redis_port LOG_LEVEL=warn EMBEDDED_WORKER=true \
  WORKER_CONCURRENCY=8 exec node --import tsx src/server.ts > "$logs/service.log" 2>&1) &
svc_pid=$!
export REWARD_URL=http://127.0.0.1:$svc_port
# READY_NEEDS=math: enough for the arithmetic runs where code sandboxes cannot start (no bubblewrap here)
if python3 -m trainer check --url "$REWARD_URL" ${READY_NEEDS:+--needs "$READY_NEEDS"} > "$logs/readyz.json" 2>&1; then
  say "service ready: $(cat "$logs/readyz.json")"
else
  say "service NOT ready"; tail -50 "$logs/service.log"
fi

if [ -z "${SKIP_TESTS:-}" ]; then  # SKIP_TESTS=1: a second run in the same device call
  say "torch unit tests"
  python3 -m unittest discover -s trainer/tests -p 'test_torch_*.py' -v > "$logs/torch-tests.txt" 2>&1
  say "torch tests exit $? ($(tail -1 "$logs/torch-tests.txt"))"
  say "CI tests (stdlib client, lease/ack, adapters) against the live service"
  python3 -m unittest discover -s trainer/tests -p 'test_ci_*.py' -v > "$logs/ci-tests.txt" 2>&1
  say "CI tests exit $? ($(tail -1 "$logs/ci-tests.txt"))"
fi

task=${R1_TASK:-r1}
if [ "$task" = r1-lang ]; then
  python3 -m trainer lang-check --url "$REWARD_URL" > "$logs/lang-check.txt" 2>&1
  say "language component vs Cyrillic count: $(tr '\n' ' ' < "$logs/lang-check.txt")"
fi
say "$task run: preset $preset, name $name, args $*"
cmd="python3 -m trainer $task --preset $preset --out trainer/runs/$name --url $REWARD_URL $*"
echo "$cmd" > "$run_dir/command.txt"
# a hard stop well inside the device call's 10 minutes, so the logs below still come back
PYTHONUNBUFFERED=1 timeout "${R1_TIMEOUT:-530}" $cmd > "$logs/console.txt" 2>&1
say "$task exit $?"
tail -3 "$logs/console.txt"

kill "$svc_pid" 2>/dev/null; sleep 2; kill "$redis_pid" 2>/dev/null
tail -c 200000 "$logs/service.log" > "$logs/service-tail.log"; rm -f "$logs/service.log"
nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv > "$logs/nvidia-smi.txt" 2>&1
say "done"
cp "$logs/run-on-gpu.txt" "$out/" 2>/dev/null
tar -C "$root/trainer/runs" -czf "$out/run.tar.gz" "$name"
if [ -z "${RUN_OUT_MINIMAL:-}" ]; then  # RUN_OUT_MINIMAL=1: only run.tar.gz and the log (two runs side by side)
  for f in metrics.json plot.png log.jsonl; do [ -f "$run_dir/$f" ] && cp "$run_dir/$f" "$out/"; done
  cp "$logs/torch-tests.txt" "$out/" 2>/dev/null
fi
ls -l "$out"
