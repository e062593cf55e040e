# JetLedger: one image for every role (`start --roles api|processor|projector|scheduler`).
# Build: docker build -t jetledger .      Run: see docker-compose.yml.

ARG NODE_IMAGE=node:20-bookworm-slim

# All dependencies, for the TypeScript build.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# mongodb-memory-server (a dependency, for the embedded mode) downloads a mongod at install
# time; an image never runs embedded MongoDB, so skip the download.
ENV MONGOMS_DISABLE_POSTINSTALL=1
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Production dependencies only. The optional jongodb binary comes along (npm installs optional
# dependencies by default); it is unused here: the image always gets a real MongoDB (MONGODB_URI).
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
ENV MONGOMS_DISABLE_POSTINSTALL=1
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
# HOST: the config default 127.0.0.1 would be unreachable from outside the container.
# DATA_DIR: only the embedded mode and `token` without JWT_SECRET write there; give them a writable place.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/data \
    NODE_OPTIONS=--enable-source-maps
WORKDIR /app
# Code and dependencies stay owned by root: the non-root user can run them, not change them.
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
# The node user (uid 1000) ships with the official image.
USER node
EXPOSE 4000
# Slim has no curl: ask with node. Only the api role listens; compose turns this off for the others.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and handles SIGTERM itself (cli.ts drains and stops); compose adds `init: true` to reap.
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["start"]
