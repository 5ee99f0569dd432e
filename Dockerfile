# The reward-verifier image: the API (default command) and the scoring worker (npm run worker's entry).
# Node 20 runs the TypeScript directly through tsx (no build step). bubblewrap and Debian's python3 are
# what the Python code sandbox runs in; see docker-compose.yml for the container settings bubblewrap needs.
FROM node:20-bookworm-slim AS deps
# isolated-vm builds from source: compiler, make and python for node-gyp; headers from this Node install.
RUN apt-get update && apt-get install -y --no-install-recommends g++ make python3 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
ENV npm_config_nodedir=/usr/local
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# The service runs as the unprivileged user reward-verifier (uid 10001). Its Python jails map two uids per
# slot (judge, solution) from the user's subordinate ids with the setuid newuidmap/newgidmap (package uidmap);
# src/rewards/code/README.md ("Running as root or not") says what the container and the host must allow and
# what it costs against root. The subordinate range must be owned by no other user of the host (in a
# container without user-namespace remapping these are host uids). Run with --user root for root mode.
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap python3 ca-certificates uidmap \
  && rm -rf /var/lib/apt/lists/* \
  && groupadd --system --gid 10001 reward-verifier \
  && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin reward-verifier \
  && usermod --add-subuids 1500000000-1500065535 --add-subgids 1500000000-1500065535 reward-verifier
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY sandboxes ./sandboxes
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
EXPOSE 8080
# numeric, so that a runtime that checks for a non-root user (runAsNonRoot) can see it is not root; the gid
# must be the user's primary group (newgidmap maps only for a process running with it)
USER 10001:10001
# Run node itself (not npm) so SIGTERM reaches the process that shuts down gracefully.
CMD ["node", "--import", "tsx", "src/server.ts"]
