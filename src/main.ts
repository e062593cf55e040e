/**
 * The composition root: the only module that knows every concrete adapter. It starts the
 * embedded infrastructure when no external one is configured, then the requested roles.
 */
import { join, resolve } from 'node:path';
import { type Db, MongoClient } from 'mongodb';
import { type Config, DEFAULT_METRICS_PORT, corsPolicy, graphiqlEnabled } from './config.js';
import { developmentSecret } from './infra/auth/dev-secret.js';
import { createTokenVerifier, signToken } from './infra/auth/jwt.js';
import { type RunningHttpServer, startHttpServer } from './infra/http/server.js';
import { startEmbeddedMongo } from './infra/mongo/embedded-mongo.js';
import { type Nats, connectNats } from './infra/nats/connection.js';
import { startNatsServer } from './infra/nats/embedded-server.js';
import { ensureStreams } from './infra/nats/streams.js';
import { STREAMS } from './infra/nats/topology.js';
import type { Telemetry } from './infra/telemetry/start.js';
import { createGraphQLHandler } from './graphql/server.js';
import type { Logger } from './logger.js';
import { type Metrics, createMetrics } from './metrics.js';
import { type Role, type RoleDeps, type Stoppable, type Tuning, createApiApp, startProcessorRole, startProjectorRole, startSchedulerRole } from './roles.js';

export type RunningLedger = Readonly<{
  /** GraphQL endpoint when the api role runs. */
  url: string | null;
  /** Where this process serves /metrics (the api's, or METRICS_PORT's without the api role). */
  metricsUrl: string;
  /** Whether /graphql serves GraphiQL to a browser. */
  graphiql: boolean;
  natsUrl: string;
  mongoUri: string | null;
  demoToken: string | null;
  stop(): Promise<void>;
}>;

/** `telemetry`: tracing, when on (infra/telemetry/start.ts); started before this module was imported. */
export type StartOptions = Readonly<{ config: Config; roles: readonly Role[]; log: Logger; tuning?: Tuning; telemetry?: Telemetry | null }>;

export async function startJetLedger({ config, roles, log, tuning, telemetry = null }: StartOptions): Promise<RunningLedger> {
  const stack: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stack.reverse()) await stop().catch((error) => log.error({ err: error }, 'error while stopping'));
  };
  try {
    const dataDir = resolve(config.DATA_DIR);
    let natsUrl = config.NATS_URL;
    if (!natsUrl) {
      const server = await startNatsServer({ storeDir: join(dataDir, 'nats'), logger: log });
      stack.push(() => server.stop());
      natsUrl = server.url;
    }
    const nats = await connectNats(natsUrl, `jetledger:${roles.join(',')}`);
    stack.push(() => nats.nc.drain().catch(() => nats.nc.close()));
    const topology = await ensureStreams(nats.nc, nats.jsm, { replicas: config.NATS_REPLICAS, shards: config.PROJECTION_SHARDS, leaseTtlMs: config.PROJECTION_LEASE_TTL_MS });

    const needsMongo = roles.some((r) => r !== 'processor');
    let db: Db | null = null;
    let mongoUri: string | null = null;
    if (needsMongo) {
      mongoUri = config.MONGODB_URI ?? null;
      if (!mongoUri) {
        const mongo = await startEmbeddedMongo({ dataDir: join(dataDir, 'mongo'), logger: log });
        stack.push(() => mongo.stop());
        mongoUri = mongo.uri;
      }
      const client = await MongoClient.connect(mongoUri);
      stack.push(() => client.close());
      db = client.db(config.MONGODB_DB);
    }

    const metrics = createMetrics();
    const deps: RoleDeps = { nats, topology, db, log, metrics, tuning, ...(telemetry ? { tracing: telemetry.tracing } : {}) };
    if (roles.includes('processor')) stack.push(bind(await startProcessorRole(deps)));
    if (roles.includes('projector')) stack.push(bind(await startProjectorRole(deps)));
    if (roles.includes('scheduler')) stack.push(bind(await startSchedulerRole(deps)));

    let url: string | null = null;
    let demoToken: string | null = null;
    let metricsUrl: string;
    if (roles.includes('api')) {
      const api = await startApi(config, deps, nats, db as Db, dataDir, metrics, telemetry);
      stack.push(api.stop);
      url = api.url;
      demoToken = api.demoToken;
      metricsUrl = api.metricsUrl;
    } else {
      const server = await startMetricsServer(config, nats, metrics);
      stack.push(server.close);
      metricsUrl = `${server.url}/metrics`;
    }
    log.info({ roles, metrics: metricsUrl, tracing: telemetry !== null }, 'JetLedger started');
    return { url, metricsUrl, graphiql: graphiqlEnabled(config), natsUrl, mongoUri, demoToken, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

const bind = (s: Stoppable) => () => s.stop();

/**
 * /metrics of a process without the api, on METRICS_PORT. Unset, 9464; several such processes on
 * one host (projectors sharing the shards, a bench) do not fight over it: the ones that find it
 * taken listen on a free port, which the start log names. A port that was asked for is that port or a failed start.
 */
function startMetricsServer(config: Config, nats: Nats, metrics: Metrics): Promise<RunningHttpServer> {
  return startHttpServer({
    port: config.METRICS_PORT ?? DEFAULT_METRICS_PORT,
    portFallback: config.METRICS_PORT === undefined,
    host: config.HOST,
    routes: {
      healthz: async () => ({ ok: true }),
      readyz: async () => ({ ok: !nats.nc.isClosed(), checks: { nats: !nats.nc.isClosed() } }),
      metrics: metrics.render,
    },
  });
}

async function startApi(config: Config, deps: RoleDeps, nats: Nats, db: Db, dataDir: string, metrics: Metrics, telemetry: Telemetry | null) {
  const production = config.NODE_ENV === 'production';
  if (production && !config.JWT_SECRET && !config.JWT_JWKS_URL) {
    throw new Error('JWT_SECRET or JWT_JWKS_URL is required when NODE_ENV=production');
  }
  const secret = config.JWT_JWKS_URL ? undefined : (config.JWT_SECRET ?? developmentSecret(dataDir));
  const verifyToken = createTokenVerifier({ secret, jwksUrl: config.JWT_JWKS_URL, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });
  const demoToken = !production && secret ? await signToken({ secret, sub: 'demo', admin: false, ttl: '30d' }) : null;

  const app = await createApiApp(deps);
  const graphql = createGraphQLHandler({
    app,
    verifyToken,
    logger: deps.log,
    graphiql: { enabled: graphiqlEnabled(config), token: demoToken ?? undefined },
    cors: corsPolicy(config),
    mutationsPerMinute: config.MUTATION_RATE_LIMIT,
    debugErrors: config.GRAPHQL_DEBUG_ERRORS,
    tracing: telemetry?.graphql,
    observeSubscription: (kind) => {
      metrics.subscriptions.inc({ kind });
      return () => metrics.subscriptions.dec({ kind });
    },
  });
  const http = await startHttpServer({
    port: config.PORT,
    host: config.HOST,
    yoga: graphql.yoga,
    attachWebSocket: graphql.attachWebSocket,
    routes: {
      healthz: async () => ({ ok: true }),
      readyz: async () => {
        const checks = {
          nats: !nats.nc.isClosed(),
          mongo: await db.command({ ping: 1 }).then(() => true, () => false),
          streams: await nats.jsm.streams.info(STREAMS.journal).then(() => true, () => false),
        };
        return { ok: Object.values(checks).every(Boolean), checks };
      },
      metrics: metrics.render,
    },
  });
  return {
    url: `${http.url}/graphql`,
    metricsUrl: `${http.url}/metrics`,
    demoToken,
    stop: async () => {
      await http.close();
      await app.stop();
    },
  };
}
