/**
 * Every configuration key, with its description and default: the one source for loadConfig,
 * .env.example and the README's configuration table.
 */
import { Type, type Static } from 'typebox'
import { availableParallelism } from 'node:os'

const cores = Math.max(1, availableParallelism())

export const ConfigSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', description: 'Address the HTTP server binds to.' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'HTTP port (0 picks a free one).' }),
  LOG_LEVEL: Type.Union([
    Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'),
    Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')
  ], { default: 'info', description: 'pino log level.' }),
  REDIS_URL: Type.String({ default: 'redis://127.0.0.1:6379', description: 'Redis for the rollout queue and trainer leases.' }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 16 * 1024 * 1024, description: 'Largest request body, after gzip decoding (413 above it).' }),
  MAX_GROUPS_PER_REQUEST: Type.Integer({ minimum: 1, default: 4096, description: 'Most groups in one /v1/score request (413 above it).' }),
  MAX_COMPLETIONS_PER_REQUEST: Type.Integer({ minimum: 1, default: 65536, description: 'Most completions in one /v1/score request, all groups together (413 above it).' }),
  MAX_COMPLETION_CHARS: Type.Integer({ minimum: 16, default: 1_000_000, description: 'Longest completion, in UTF-16 code units (413 above it).' }),
  MATH_THREADS: Type.Integer({ minimum: 1, default: Math.max(1, cores - 1), 'x-default': 'cores - 1 (at least 1)', description: 'Worker threads of the math verifier pool.' }),
  MATH_DEADLINE_MS: Type.Integer({ minimum: 50, default: 2000, description: 'Deadline of one math check; past it the check answers timeout and its worker is replaced.' }),
  CODE_PYTHON_SLOTS: Type.Integer({ minimum: 1, default: cores, 'x-default': 'cores', description: 'Concurrent Python jails (bubblewrap); each slot runs as its own uid.' }),
  CODE_JS_ISOLATES: Type.Integer({ minimum: 1, default: cores, 'x-default': 'cores', description: 'JavaScript sandbox processes (one isolated-vm isolate each; a killed or crashed one is replaced).' }),
  CODE_UID_BASE: Type.Integer({ minimum: 1000, maximum: 4_000_000_000, default: 61000, description: 'Lowest uid of the Python jail slots; each process claims the first free range of CODE_PYTHON_SLOTS uids at or above it (lock files in /run/reward-verifier). A service not running as root takes its subordinate ids (/etc/subuid) instead, from this uid when it lies inside them.' }),
  // Compiled languages (src/sandbox/native): per-language caps default to sandboxes/<language>/metadata.json.
  CODE_LANGUAGES: Type.String({ pattern: '^(auto|[a-z0-9]+(,[a-z0-9]+)*)$', default: 'auto', description: 'Compiled languages this deployment enables (comma list of cpp,cpp17,cpp20,c,java,go,rust), or auto: every one whose toolchain is installed at start. /readyz fails when a listed language has no toolchain; a request for a language not enabled answers status error.' }),
  CODE_NATIVE_SLOTS: Type.Integer({ minimum: 1, default: cores, 'x-default': 'cores', description: 'Concurrent jailed processes (compiles and tests) of the compiled languages; each slot is its own uid and cgroup.' }),
  CODE_NATIVE_WARM: Type.Boolean({ default: true, description: 'Runs of built programs reuse one warm jail per slot, cleaned between runs (processes, SysV IPC, /tmp); false: a fresh jail per run (slower: ~10 ms per run).' }),
  CODE_JS_UID_BASE: Type.Integer({ minimum: 1000, maximum: 4_000_000_000, default: 74000, description: 'Lowest uid of the JavaScript sandbox processes when the service runs as root (slot i runs as a claimed uid of a range of CODE_JS_ISOLATES, as CODE_UID_BASE); not root: they run as the service user.' }),
  CODE_NATIVE_UID_BASE: Type.Integer({ minimum: 1000, maximum: 4_000_000_000, default: 66000, description: 'Lowest uid of the compiled-language slots (a claimed range, as CODE_UID_BASE).' }),
  CODE_CHECKER_UID_BASE: Type.Integer({ minimum: 1000, maximum: 4_000_000_000, default: 70000, description: 'Lowest uid of the checker slots (program checkers run as uids no solution has).' }),
  CODE_CACHE_DIR: Type.String({ default: '', description: 'Build cache of compiled programs (content-addressed: source + language + flags). Empty: <tmpdir>/reward-verifier-build-cache (-<uid> for a service not running as root).' }),
  CODE_CACHE_MB: Type.Integer({ minimum: 16, default: 2048, description: 'Disk bound of the build cache; least recently used programs are removed past it.' }),
  CODE_CPP_TIME_MS: Type.Integer({ minimum: 10, default: 10000, description: 'C/C++ cap of CPU time per test (requests may lower it).' }),
  CODE_CPP_MEMORY_MB: Type.Integer({ minimum: 16, default: 512, description: 'C/C++ cap of memory per test (cgroup memory; RLIMIT_AS without cgroups).' }),
  CODE_JAVA_TIME_MS: Type.Integer({ minimum: 10, default: 10000, description: 'Java cap of CPU time per test (the JVM start included).' }),
  CODE_JAVA_MEMORY_MB: Type.Integer({ minimum: 64, default: 1024, description: 'Java cap of memory per test (cgroup memory; the heap is -Xmx 3/4 of it).' }),
  CODE_GO_TIME_MS: Type.Integer({ minimum: 10, default: 10000, description: 'Go cap of CPU time per test.' }),
  CODE_GO_MEMORY_MB: Type.Integer({ minimum: 16, default: 512, description: 'Go cap of memory per test.' }),
  CODE_RUST_TIME_MS: Type.Integer({ minimum: 10, default: 10000, description: 'Rust cap of CPU time per test.' }),
  CODE_RUST_MEMORY_MB: Type.Integer({ minimum: 16, default: 512, description: 'Rust cap of memory per test.' }),
  TEXT_THREADS: Type.Integer({ minimum: 0, default: cores, 'x-default': 'cores', description: 'Worker threads for the language reward (each loads the ~200 MB detector); 0 runs it on the main thread.' }),
  // The Redis pipeline (src/queue): rollouts in through BullMQ, scored groups out to trainers by lease.
  QUEUE_PREFIX: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', default: 'rwd', description: 'Prefix of every Redis key of the pipeline; keeps deployments sharing a Redis apart.' }),
  ROLLOUT_BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 64 * 1024 * 1024, description: 'Largest POST /v1/rollouts body, after gzip decoding (413 above it).' }),
  QUEUE_MAX_DEPTH: Type.Integer({ minimum: 1, default: 10_000, description: 'Rollouts waiting or being scored above which POST /v1/rollouts answers 429 with Retry-After.' }),
  QUEUE_RETRY_AFTER_S: Type.Integer({ minimum: 1, default: 5, description: 'Retry-After (seconds) of a 429 over QUEUE_MAX_DEPTH.' }),
  REDIS_CONNECT_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 2000, description: 'How long one connection attempt to Redis may take; requests never wait longer for Redis (503 instead).' }),
  EMBEDDED_WORKER: Type.Boolean({ default: true, description: 'npm start also runs a scoring worker in the API process (false: run npm run worker separately).' }),
  WORKER_CONCURRENCY: Type.Integer({ minimum: 1, default: 4, description: 'Rollouts one scoring worker process scores at once.' }),
  WORKER_METRICS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 0, description: 'Port where npm run worker serves /metrics (0: not served; the embedded worker reports on the API /metrics).' }),
  WORKER_LOCK_MS: Type.Integer({ minimum: 500, default: 30_000, description: 'BullMQ job lock; a rollout whose worker died is scored again after about this long.' }),
  WORKER_SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, default: 20_000, description: 'On SIGTERM a worker finishes in-flight rollouts for this long, then hands the rest back to the queue.' }),
  JOB_ATTEMPTS: Type.Integer({ minimum: 1, default: 5, description: 'Attempts of a rollout that fails transiently (deterministic failures are not retried).' }),
  JOB_BACKOFF_MS: Type.Integer({ minimum: 0, default: 1000, description: 'First retry delay of a transient failure; doubles each attempt.' }),
  ROLLOUT_RETENTION_S: Type.Integer({ minimum: 1, default: 86_400, description: 'How long finished rollouts (results, failures) stay readable at GET /v1/rollouts/:id.' }),
  ROLLOUT_IDEMPOTENCY_TTL_S: Type.Integer({ minimum: 1, default: 7 * 86_400, description: 'How long a rollout id stays bound to its body (same id, other body: 409) and its groups stay published once.' }),
  LEASE_MAX_MS: Type.Integer({ minimum: 1000, default: 3_600_000, description: 'Longest lease a trainer may take or extend to.' }),
  LEASE_MAX_GROUPS: Type.Integer({ minimum: 1, default: 4096, description: 'Most groups in one lease.' }),
  WAIT_MAX_MS: Type.Integer({ minimum: 0, default: 60_000, description: 'Longest long-poll (wait / wait_ms) of GET /v1/rollouts/:id and POST /v1/trainer/lease.' }),
  QUEUE_PARTITIONS: Type.Integer({ minimum: 1, maximum: 64, default: 4, description: 'BullMQ queues the rollouts are spread over by rollout id (each its own Redis Cluster hash tag, so a cluster spreads scoring over its masters); every worker consumes all of them. All processes of a deployment must agree.' }),
  REDIS_WAIT_REPLICAS: Type.Integer({ minimum: -1, maximum: 16, default: -1, description: 'Replicas that must confirm a write (Redis WAIT) before POST /v1/rollouts answers 202, an ack answers, and a worker finishes a rollout: -1 = 1 on a Redis Cluster (redis+cluster:// URL) and 0 on a single Redis; 0 = off.' }),
  REDIS_WAIT_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 2000, description: 'How long WAIT may take (REDIS_WAIT_REPLICAS); fewer replicas by then answers 503 (the client retries; every write is idempotent).' }),
  ROLLOUT_MAX_GROUPS: Type.Integer({ minimum: 1, default: 16_384, description: 'Most groups in one POST /v1/rollouts (413 above it); groups are published to trainers in chunks that hold Redis only briefly.' }),
  METADATA_MAX_DEPTH: Type.Integer({ minimum: 1, maximum: 256, default: 32, description: 'Deepest nesting of objects and arrays in a group\'s metadata that POST /v1/score, /v1/rollouts and /v1/eval accept (400 naming the group above it); what trainers read back.' }),
  // POST /get_reward (OpenRLHF's remote reward protocol)
  GET_REWARD_MAX_BATCH: Type.Integer({ minimum: 1, default: 8192, description: 'Most queries in one POST /get_reward (413 above it); OpenRLHF v0.9 posts a whole rollout batch in one request.' }),
  GET_REWARD_TOKEN: Type.String({ default: '', description: 'Retired: a non-empty value refuses to start. /get_reward takes an API key with the score scope (API_KEYS_FILE).' }),
  GET_REWARD_FALLBACK: Type.Number({ default: 0, description: 'Reward POST /get_reward answers for an item that could not be scored (OpenRLHF takes no null); extra_logs.unscorable marks it.' }),
  GET_REWARD_REWARDS: Type.String({ default: '', description: 'Reward options of POST /get_reward as JSON (the rewards object of /v1/score); empty: the defaults (format + accuracy).' }),
  GET_REWARD_BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 64 * 1024 * 1024, description: 'Largest POST /get_reward body, after gzip decoding (413 above it); OpenRLHF v0.9 posts a whole rollout batch in one request.' }),
  ADMIN_QUEUES: Type.Union([Type.Literal('read-only'), Type.Literal('read-write'), Type.Literal('off')], { default: 'read-only', description: 'The /admin/queues dashboard: read-only, read-write (retry, clean, remove jobs) or off.' }),
  // Authentication, admission control and limits (README: Security)
  AUTH: Type.Union([Type.Literal('auto'), Type.Literal('on'), Type.Literal('off')], { default: 'auto', description: 'auto: API keys required when API_KEYS_FILE is set; without it the service starts only on a loopback HOST. on: API_KEYS_FILE required. off: no authentication on any HOST.' }),
  API_KEYS_FILE: Type.String({ default: '', description: 'File of API keys, one a line: NAME SCOPES SHA256-of-key (reward-verifier keys add writes it; re-read when it changes).' }),
  METRICS_AUTH: Type.Boolean({ default: true, description: 'GET /metrics needs a key with the metrics scope when auth is on (false: open).' }),
  REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: 120_000, description: 'A request, headers and body, must arrive within this long (408 and the connection is closed otherwise).' }),
  KEEP_ALIVE_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000, description: 'An idle keep-alive connection is closed after this long.' }),
  CONNECTION_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 600_000, description: 'A connection with no traffic either way for this long is closed (0: never); longer than any request may take.' }),
  ADMISSION_MAX_WAIT_MS: Type.Integer({ minimum: 100, default: 10_000, description: "A tenant's synchronous request is refused (429 + Retry-After) when its backlog on a pool would wait longer than this, estimated from its own recent cost per job." }),
  ADMISSION_MATH_QUEUE: Type.Integer({ minimum: 1, default: 262_144, description: 'Most math checks one tenant may have admitted and unfinished (429 above it).' }),
  ADMISSION_CODE_QUEUE: Type.Integer({ minimum: 1, default: 4096, description: 'Most code checks one tenant may have admitted and unfinished (429 above it).' }),
  CODE_MAX_CONCURRENT: Type.Integer({ minimum: 0, default: 0, description: 'Code checks (Python and JavaScript together) running at once; caps the sandboxes\' share of the CPU (0: CODE_PYTHON_SLOTS + CODE_JS_ISOLATES).' }),
  CODE_CPU_SHARES: Type.Integer({ minimum: 0, maximum: 262_144, default: 256, description: 'CPU weight of all code sandboxes together (Python jails and JavaScript processes, one cgroup of the cpu controller), against 1024 for each thread of the service: under contention the HTTP thread and the math workers keep the CPU; idle CPU still goes to the sandboxes. 0: no weight (the sandboxes compete as ordinary processes).' }),
  REQUEST_CODE_BUDGET_S: Type.Integer({ minimum: 1, default: 3600, description: 'Most CPU time one synchronous request may ask for: the sum over its code checks of cases x time limit (413 above it).' }),
  METRICS_MAX_RUNS: Type.Integer({ minimum: 1, default: 50, description: 'Distinct run labels on /metrics; the other runs are summed under run="other".' })
}, { additionalProperties: true })

export type Config = Readonly<Static<typeof ConfigSchema>>
