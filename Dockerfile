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
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap python3 ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY sandboxes ./sandboxes
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
EXPOSE 8080
# Run node itself (not npm) so SIGTERM reaches the process that shuts down gracefully.
CMD ["node", "--import", "tsx", "src/server.ts"]
